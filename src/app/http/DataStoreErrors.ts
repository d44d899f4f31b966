import { HttpApiSchema } from "@effect/platform"
import { Effect, Schema } from "effect"
import type { InvalidRecord, RecordNotFound, RecordTooLarge } from "../../domain/DataRecord.js"
import type { Conflict, DatabaseError, InvalidName, NotFound } from "../../ports/Errors.js"
import {
  type ApiError,
  BadRequestError,
  ConflictError,
  httpErrors,
  NotFoundError,
  said
} from "./ApiErrors.js"

/** A record over the size every backend can store. */
export class PayloadTooLargeError extends Schema.TaggedError<PayloadTooLargeError>()(
  "PayloadTooLarge",
  { message: Schema.String, detail: Schema.String },
  HttpApiSchema.annotations({ status: 413 })
) {}

export type DataStoreFailure = RecordNotFound | InvalidRecord | RecordTooLarge | NotFound | Conflict | InvalidName | DatabaseError

/** Domain and port failures as the data-store endpoints declare them. */
export const dataStoreErrors = <A, R>(effect: Effect.Effect<A, DataStoreFailure, R>): Effect.Effect<A, ApiError | PayloadTooLargeError, R> =>
  Effect.catchAll(effect, (error): Effect.Effect<never, ApiError | PayloadTooLargeError> => {
    switch (error._tag) {
      case "RecordNotFound":
        return Effect.fail(new NotFoundError(said(error.message)))
      case "InvalidRecord":
        return Effect.fail(new BadRequestError(said(error.message)))
      case "RecordTooLarge":
        return Effect.fail(new PayloadTooLargeError(said(error.message)))
      case "Conflict":
        return Effect.fail(new ConflictError(said("the record was changed by another writer: read it again for its current _rev")))
      default:
        return httpErrors(Effect.fail(error))
    }
  })
