import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Effect } from "effect"
import type { InvalidRecord, RecordNotFound, RecordTooLarge } from "../../domain/DataRecord.js"
import type { Conflict, DatabaseError, InvalidDocument, InvalidName, NotFound } from "../../ports/Errors.js"
import { answerTo, type ApiError, badRequest, conflict, notFound, tooLarge } from "./ApiErrors.js"

export type DataStoreFailure = RecordNotFound | InvalidRecord | RecordTooLarge | NotFound | Conflict | InvalidName | InvalidDocument | DatabaseError

/** Domain and port failures answered as the data-store endpoints declare them (httpErrors: the same answers, the same error type). */
export const dataStoreErrors = <A, R>(
  effect: Effect.Effect<A, DataStoreFailure, R>
): Effect.Effect<A | HttpServerResponse.HttpServerResponse, ApiError, R> =>
  Effect.catchAll(effect, (error) => {
    switch (error._tag) {
      case "RecordNotFound":
        return Effect.succeed(notFound(error.message))
      case "InvalidRecord":
        return Effect.succeed(badRequest(error.message))
      case "RecordTooLarge":
        return Effect.succeed(tooLarge(error.message))
      case "Conflict":
        return Effect.succeed(conflict("the record was changed by another writer: read it again for its current _rev"))
      default:
        return answerTo(error)
    }
  })
