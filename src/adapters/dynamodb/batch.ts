import { Duration, Effect } from "effect"
import { DatabaseError } from "../../ports/Errors.js"

/** DynamoDB's limits per BatchGetItem and per BatchWriteItem call. */
export const GET_BATCH = 100
export const WRITE_BATCH = 25
/** Batch calls in flight at once for one port operation. */
export const BATCH_CONCURRENCY = 8

const MAX_ROUNDS = 8

// Full jitter, as AWS recommends for retries of unprocessed batch items: 50 ms doubling, at most 2 s.
const backoff = (round: number) => Duration.millis(Math.random() * Math.min(2_000, 50 * 2 ** round))

/**
 * Sends `items`, then resends whatever the call reports back as unprocessed (DynamoDB does so when
 * throttled or over a size limit) with backoff, for a bounded number of rounds.
 */
export const untilProcessed = <A>(
  operation: string,
  where: string,
  items: ReadonlyArray<A>,
  send: (pending: ReadonlyArray<A>) => Effect.Effect<ReadonlyArray<A>, DatabaseError>
): Effect.Effect<void, DatabaseError> => {
  const round = (pending: ReadonlyArray<A>, n: number): Effect.Effect<void, DatabaseError> =>
    Effect.flatMap(send(pending), (unprocessed) => {
      if (unprocessed.length === 0) return Effect.void
      if (n + 1 >= MAX_ROUNDS) {
        return Effect.fail(
          new DatabaseError({
            operation,
            message:
              `DynamoDB ${operation} at ${where}: ${unprocessed.length} items were still unprocessed after ${MAX_ROUNDS} attempts (throttled)`,
            unavailable: true
          })
        )
      }
      return Effect.zipRight(Effect.sleep(backoff(n)), round(unprocessed, n + 1))
    })
  return items.length === 0 ? Effect.void : round(items, 0)
}
