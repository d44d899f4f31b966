import { Effect } from "effect"
import { DatabaseError, type InvalidName } from "../ports/Errors.js"

/**
 * Sign-in stores use ids they make themselves (hex digests), so an InvalidName is a programming
 * error of ours, not the caller's: report it as a database failure rather than a 400.
 */
export const noInvalidName = (operation: string) =>
<A, E, R>(effect: Effect.Effect<A, E | InvalidName, R>): Effect.Effect<A, Exclude<E, InvalidName> | DatabaseError, R> =>
  Effect.catchIf(
    effect,
    (error): error is InvalidName => (error as { _tag?: string })._tag === "InvalidName",
    (error) => Effect.fail(new DatabaseError({ operation, message: error.message }))
  ) as Effect.Effect<A, Exclude<E, InvalidName> | DatabaseError, R>
