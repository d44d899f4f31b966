import { type Duration, Effect, Schedule } from "effect"

const isConflict = (error: { readonly _tag: string }): boolean => error._tag === "Conflict"

/**
 * `Effect.retry(attempt, { while: Conflict, ...policy })`, with the retry loop built only once a
 * first Conflict has happened: its schedule driver and the context it provides cost more Effect
 * steps than the write they guard, on every write, and most writes never conflict. The first
 * Conflict is handed to the loop as its first failure, so the schedule waits, counts and times
 * exactly as Effect.retry's would.
 */
export const retryConflicts = <A, E extends { readonly _tag: string }, R>(
  attempt: Effect.Effect<A, E, R>,
  policy: Omit<Effect.Retry.Options<E>, "while" | "until">
): Effect.Effect<A, E, R> =>
  Effect.catchIf(attempt, isConflict, (first) => {
    let replayed = false
    const again = Effect.suspend(() => {
      if (replayed) return attempt
      replayed = true
      return Effect.fail(first)
    })
    return Effect.retry(again, { ...policy, while: isConflict })
  })

/**
 * How long a merge without `_rev` keeps trying against concurrent writers. A budget of time, not
 * of attempts: how many attempts a burst of writers needs depends on the backend's round trip.
 */
export const MERGE_BUDGET: Duration.DurationInput = "5 seconds"

// Jittered so that writers who collided do not collide again; at most 50 ms apart.
export const mergeRetries = (budget: Duration.DurationInput) =>
  Schedule.exponential("2 millis").pipe(Schedule.jittered, Schedule.union(Schedule.spaced("50 millis")), Schedule.upTo(budget))
