import { AsyncLocalStorage } from "node:async_hooks"

/**
 * Why this exists: the Firestore SDK retries UNAVAILABLE on its own, with per-call retry settings
 * that no client option overrides (a commit keeps trying for 10 minutes), and `terminate()` waits
 * for those calls. Timing out the Effect alone would leave them running in the background.
 *
 * So every adapter call runs with a deadline in AsyncLocalStorage, and a gRPC call invocation
 * transformer, which sees every attempt the SDK makes, clamps the attempt's deadline to it (or to
 * now, once the Effect was interrupted). Past the deadline every attempt fails at once with
 * DEADLINE_EXCEEDED: writes stop there; streaming reads still sleep between their (now instant)
 * retries for up to ~45 seconds, which is why closing the client is bounded separately.
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
  callOptions: { deadline?: Date | number | undefined }
}

const millisOf = (deadline: Date | number | undefined): number =>
  deadline instanceof Date ? deadline.getTime() : typeof deadline === "number" ? deadline : Number.POSITIVE_INFINITY

const clampDeadline = <P extends CallProperties>(properties: P): P => {
  const budget = budgets.getStore()
  if (budget === undefined) return properties
  const limit = budget.signal.aborted ? Date.now() : budget.deadline
  if (millisOf(properties.callOptions.deadline) <= limit) return properties
  properties.callOptions = { ...properties.callOptions, deadline: limit }
  return properties
}

/** Firestore settings (passed through google-gax to every gRPC client it creates) that apply the budget. */
export const deadlineSettings = { "grpc.callInvocationTransformer": clampDeadline } as const
