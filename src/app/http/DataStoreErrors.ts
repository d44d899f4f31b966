import { Effect } from "effect"
import type { InvalidRecord, RecordNotFound, RecordTooLarge } from "../../domain/DataRecord.js"
import type { Conflict, DatabaseError, InvalidDocument, InvalidName, NotFound } from "../../ports/Errors.js"
import {
  type ApiError,
  BadRequestError,
  ConflictError,
  DocumentTooLarge,
  errorBody,
  httpErrors,
  NotFoundError
} from "./ApiErrors.js"

export type DataStoreFailure = RecordNotFound | InvalidRecord | RecordTooLarge | NotFound | Conflict | InvalidName | InvalidDocument | DatabaseError

/** Domain and port failures as the data-store endpoints declare them. */
export const dataStoreErrors = <A, R>(effect: Effect.Effect<A, DataStoreFailure, R>): Effect.Effect<A, ApiError, R> =>
  Effect.catchAll(effect, (error): Effect.Effect<never, ApiError> => {
    switch (error._tag) {
      case "RecordNotFound":
        return Effect.fail(new NotFoundError(errorBody(error.message)))
      case "InvalidRecord":
        return Effect.fail(new BadRequestError(errorBody(error.message)))
      case "RecordTooLarge":
        return Effect.fail(new DocumentTooLarge(errorBody(error.message)))
      case "Conflict":
        return Effect.fail(new ConflictError(errorBody("the record was changed by another writer: read it again for its current _rev")))
      default:
        return httpErrors(Effect.fail(error))
    }
  })
