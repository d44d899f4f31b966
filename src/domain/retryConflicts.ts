import { Duration, Effect, Schedule } from "effect"
import { DatabaseError } from "../ports/Errors.js"

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
  policy: Omit<Effect.Retry.Options<E>, "while" | "until">,
  turns?: Turns
): Effect.Effect<A, E, R> =>
  Effect.catchIf(attempt, isConflict, (first) => {
    let replayed = false
    const again = Effect.suspend(() => {
      if (replayed) return attempt
      replayed = true
      return Effect.fail(first)
    })
    const retries = Effect.retry(again, { ...policy, while: isConflict })
    if (turns === undefined) return retries
    // Bounded as a whole, the wait for a turn included: while the backend hangs, each writer
    // ahead holds the turn for a whole timeout, and the tenth writer queued answered after 20 s.
    return turns.inTurn(retries).pipe(Effect.timeoutFail({ duration: turns.within, onTimeout: () => first }))
  })

/**
 * Where the retries after a first Conflict run, and how long they may take in all: a keyed lock
 * (keyedLock.ts) makes the writers of one document in this process that lost a race retry one at
 * a time, instead of each losing again to another loser; a write that meets no conflict never
 * waits for it. Past `within`, the write fails with its first Conflict.
 */
export interface Turns {
  readonly inTurn: InTurn
  readonly within: Duration.DurationInput
}

/**
 * Where the retries after a first Conflict run: a keyed lock (keyedLock.ts) makes the writers of
 * one document in this process that lost a race retry one at a time, instead of each losing again
 * to another loser; a write that meets no conflict never waits for it.
 */
export type InTurn = <A, E, R>(retries: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>

/**
 * How long a merge without `_rev` keeps trying against concurrent writers. A budget of time, not
 * of attempts: how many attempts a burst of writers needs depends on the backend's round trip.
 */
export const MERGE_BUDGET: Duration.DurationInput = "5 seconds"

// Jittered so that writers who collided do not collide again; at most 50 ms apart.
export const mergeRetries = (budget: Duration.DurationInput) =>
  Schedule.exponential("2 millis").pipe(Schedule.jittered, Schedule.union(Schedule.spaced("50 millis")), Schedule.upTo(budget))

/**
 * A merge without `_rev` still losing races when its budget ran out: the database too busy for
 * it (503), not the caller's Conflict, since no `_rev` of the caller's was stale.
 */
export const keptChanging =
  (operation: string, subject: string, change: string, budget: Duration.DurationInput = MERGE_BUDGET) =>
  <A, E extends { readonly _tag: string }, R>(self: Effect.Effect<A, E, R>) =>
    Effect.catchIf(self, (e): e is Extract<E, { readonly _tag: "Conflict" }> => isConflict(e), () =>
      Effect.fail(
        new DatabaseError({
          operation,
          message: `${subject} kept changing for ${Duration.format(Duration.decode(budget))}; the ${change} was not applied (or, cut short by that budget, not confirmed)`,
          unavailable: true
        })
      ))
