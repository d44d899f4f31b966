import { Clock, Context, Duration, Effect, Layer, Option } from "effect"

/** At most this many clients are remembered; beyond it the oldest entries go first, so memory stays bounded. */
export const MAX_TRACKED_CLIENTS = 10_000

export interface FailureLimiterShape {
  /** Some(time to wait) once the client has used up its failures in the current window. */
  readonly blocked: (client: string) => Effect.Effect<Option.Option<Duration.Duration>>
  readonly recordFailure: (client: string) => Effect.Effect<void>
}

export class FailureLimiter extends Context.Tag("docport/FailureLimiter")<FailureLimiter, FailureLimiterShape>() {}

interface Entry {
  failures: number
  readonly windowStart: number
}

/**
 * A fixed window per client (its address) for failed bearer tokens and failed sign-in callbacks.
 * Successes do not reset it: one valid token must not buy an attacker fresh guesses.
 */
export const make = (options: { readonly maxFailures: number; readonly window: Duration.Duration }) =>
  Effect.sync((): FailureLimiterShape => {
    const clients = new Map<string, Entry>()
    const windowMs = Duration.toMillis(options.window)
    const current = (client: string, now: number): Entry | undefined => {
      const entry = clients.get(client)
      if (entry !== undefined && now - entry.windowStart >= windowMs) {
        clients.delete(client)
        return undefined
      }
      return entry
    }
    return {
      blocked: (client) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          const entry = current(client, now)
          return entry !== undefined && entry.failures >= options.maxFailures
            ? Option.some(Duration.millis(entry.windowStart + windowMs - now))
            : Option.none()
        }),
      recordFailure: (client) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          const entry = current(client, now)
          if (entry !== undefined) {
            entry.failures++
            return
          }
          if (clients.size >= MAX_TRACKED_CLIENTS) {
            const oldest = clients.keys().next()
            if (!oldest.done) clients.delete(oldest.value)
          }
          clients.set(client, { failures: 1, windowStart: now })
        })
    }
  })

export const layer = (options: { readonly maxFailures: number; readonly window: Duration.Duration }) =>
  Layer.effect(FailureLimiter, make(options))
