import { Config, Duration, Effect } from "effect"

/**
 * How long one round trip to the backend may take before it counts as unreachable (HTTP 503).
 * Every adapter bounds each of its calls by it, so an outage answers alike on every backend.
 */
export const DEFAULT_DATABASE_TIMEOUT = Duration.seconds(2)

/** DATABASE_TIMEOUT, e.g. "2 seconds" or "500 millis"; default 2 seconds. */
export const databaseTimeoutConfig: Config.Config<Duration.Duration> = Config.duration("DATABASE_TIMEOUT").pipe(
  Config.withDefault(DEFAULT_DATABASE_TIMEOUT)
)

/** What a call's abort goes through: the signal the SDK listens on, and how to fire it. */
export interface Abortable<S> {
  readonly signal: S
  readonly abort: () => void
}

export interface BoundedCall<A, E, S> {
  readonly timeout: Duration.Duration
  /** Starts the SDK call; the signal fires when the timeout passes or the caller is interrupted. */
  readonly try: (signal: S) => PromiseLike<A>
  /** What a rejection (or a synchronous throw) of the call becomes. */
  readonly catch: (cause: unknown) => E
  readonly onTimeout: () => E
  /** One per call: an AbortController, or a lighter signal an SDK accepts (DynamoDbClient.ts). */
  readonly abortable: () => Abortable<S>
}

/** The platform's AbortController, for SDKs that take nothing less (fetch, gRPC). */
export const abortController = (): Abortable<AbortSignal> => new AbortController()

/**
 * One SDK call as an Effect, bounded by a timeout, with one abort signal, one timer and no fiber
 * of its own. It replaces `Effect.tryPromise(...).pipe(Effect.timeoutFail(...))`, which forks
 * two fibers per call (the call and the sleep racing it) and makes a second timer in the clock:
 * the price of every adapter call, measured in bench/port.
 */
export const boundedCall = <A, E, S>(call: BoundedCall<A, E, S>): Effect.Effect<A, E> =>
  Effect.async<A, E>((resume) => {
    const controller = call.abortable()
    let settled = false
    const timer = setTimeout(() => {
      settled = true
      // The SDK's rejection for the abort comes after this and is ignored: the timeout is the answer.
      controller.abort()
      resume(Effect.fail(call.onTimeout()))
    }, Duration.toMillis(call.timeout))
    const settle = (effect: Effect.Effect<A, E>) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resume(effect)
    }
    try {
      call.try(controller.signal).then(
        (value) => settle(Effect.succeed(value)),
        (cause) => settle(Effect.fail(call.catch(cause)))
      )
    } catch (cause) {
      settle(Effect.fail(call.catch(cause)))
    }
    // Interrupted: cancel the request on the wire too.
    return Effect.sync(() => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      controller.abort()
    })
  })
