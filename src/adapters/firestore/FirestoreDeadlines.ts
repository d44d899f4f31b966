import { AsyncLocalStorage } from "node:async_hooks"

/**
 * Why this exists: the Firestore SDK retries UNAVAILABLE and DEADLINE_EXCEEDED on its own, with
 * per-call retry settings that no client option overrides (a commit keeps trying for 10 minutes,
 * a read for about 45 seconds). Timing out the Effect alone would leave those calls running in the
 * background; worse, `terminate()` only waits for the attempt in flight, and a read retried after
 * it rejects where nobody listens (an unhandled rejection).
 *
 * So every adapter call runs with a budget in AsyncLocalStorage, and a gRPC call invocation
 * transformer, which sees every attempt the SDK makes, applies it: an attempt within the budget
 * gets its deadline clamped to the budget's end; an attempt started past it (or after the Effect
 * was interrupted) is cancelled at once. CANCELLED is a status none of the SDK's retry loops
 * retries, so the call ends within a few seconds (the read stream's wrapper still takes two
 * spaced attempts) instead of minutes.
 */

interface Budget {
  readonly deadline: number
  readonly signal: AbortSignal
}

const budgets = new AsyncLocalStorage<Budget>()

/** Runs `start` so that every gRPC attempt it causes ends by `timeoutMs` from now, or when `signal` aborts. */
export const withDeadline = <A>(timeoutMs: number, signal: AbortSignal, start: () => Promise<A>): Promise<A> =>
  budgets.run({ deadline: Date.now() + timeoutMs, signal }, start)

// The parts of @grpc/grpc-js's CallProperties this touches (that package is not a direct dependency).
interface CallProperties {
  call: { cancel: () => void }
  callOptions: { deadline?: Date | number | undefined }
}

const millisOf = (deadline: Date | number | undefined): number =>
  deadline instanceof Date ? deadline.getTime() : typeof deadline === "number" ? deadline : Number.POSITIVE_INFINITY

const applyBudget = <P extends CallProperties>(properties: P): P => {
  const budget = budgets.getStore()
  if (budget === undefined) return properties
  if (budget.signal.aborted || Date.now() >= budget.deadline) {
    // grpc-js attaches the underlying call right after this returns, so cancel on the next tick.
    process.nextTick(() => properties.call.cancel())
    return properties
  }
  if (millisOf(properties.callOptions.deadline) > budget.deadline) {
    properties.callOptions = { ...properties.callOptions, deadline: budget.deadline }
  }
  return properties
}

/** Firestore settings (passed through google-gax to every gRPC client it creates) that apply the budget. */
export const deadlineSettings = { "grpc.callInvocationTransformer": applyBudget } as const
