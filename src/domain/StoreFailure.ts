import { Effect } from "effect"
import { DatabaseError, type InvalidDocument, type InvalidName } from "../ports/Errors.js"

type OwnMistake = InvalidName | InvalidDocument

/**
 * Sign-in stores use ids they make themselves (hex digests) and documents they build themselves,
 * so an InvalidName or InvalidDocument is a programming error of ours, not the caller's: report
 * it as a database failure rather than a 4xx.
 */
export const noInvalidName = (operation: string) =>
<A, E, R>(effect: Effect.Effect<A, E | OwnMistake, R>): Effect.Effect<A, Exclude<E, OwnMistake> | DatabaseError, R> =>
  Effect.catchIf(
    effect,
    (error): error is OwnMistake => {
      const tag = (error as { _tag?: string })._tag
      return tag === "InvalidName" || tag === "InvalidDocument"
    },
    (error) => Effect.fail(new DatabaseError({ operation, message: error.message }))
  ) as Effect.Effect<A, Exclude<E, OwnMistake> | DatabaseError, R>
