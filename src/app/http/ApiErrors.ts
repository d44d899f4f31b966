import { HttpApiSchema } from "@effect/platform"
import { Effect, Schema } from "effect"
import type { FriendlyNameTaken, NoFriendlyName } from "../../domain/Deployment.js"
import type { Conflict, DatabaseError, InvalidName, NotFound } from "../../ports/Errors.js"
import { describeCause } from "./describeCause.js"

// What the HTTP edge sends: a `_tag`, a readable `message` and the same text as `detail` (which
// Gofannon's UI shows, as FastAPI's errors carry it), never a backend's cause.
const body = { message: Schema.String, detail: Schema.String }

/** An error body's fields for a message. */
export const said = (message: string) => ({ message, detail: message })

export class NotFoundError extends Schema.TaggedError<NotFoundError>()("NotFound", body, HttpApiSchema.annotations({ status: 404 })) {}
export class ConflictError extends Schema.TaggedError<ConflictError>()("Conflict", body, HttpApiSchema.annotations({ status: 409 })) {}
export class BadRequestError extends Schema.TaggedError<BadRequestError>()("BadRequest", body, HttpApiSchema.annotations({ status: 400 })) {}
export class DatabaseFailure extends Schema.TaggedError<DatabaseFailure>()("DatabaseError", body, HttpApiSchema.annotations({ status: 500 })) {}
export class DatabaseUnavailable extends Schema.TaggedError<DatabaseUnavailable>()(
  "DatabaseUnavailable",
  body,
  HttpApiSchema.annotations({ status: 503 })
) {}

export type DomainError = NotFound | Conflict | InvalidName | DatabaseError | NoFriendlyName | FriendlyNameTaken
export type ApiError = NotFoundError | ConflictError | BadRequestError | DatabaseFailure | DatabaseUnavailable

const toApiError = (error: DomainError): Effect.Effect<ApiError> => {
  switch (error._tag) {
    case "NotFound":
      return Effect.succeed(new NotFoundError(said(error.message)))
    case "Conflict":
    case "FriendlyNameTaken":
      return Effect.succeed(new ConflictError(said(error.message)))
    case "InvalidName":
    case "NoFriendlyName":
      return Effect.succeed(new BadRequestError(said(error.message)))
    case "DatabaseError":
      // The log gets a secret-free line about the cause; the client gets the message only.
      return Effect.logError(`database ${error.operation} failed: ${error.message}`, describeCause(error.cause)).pipe(
        Effect.as(
          error.unavailable
            ? new DatabaseUnavailable(said(`the database is unavailable: ${error.message}`))
            : new DatabaseFailure(said(`the database failed: ${error.message}`))
        )
      )
  }
}

/** The HTTP error each domain error becomes, so every endpoint declares exactly what it can return. */
export type ToApiError<E> = E extends NotFound ? NotFoundError
  : E extends Conflict | FriendlyNameTaken ? ConflictError
  : E extends InvalidName | NoFriendlyName ? BadRequestError
  : E extends DatabaseError ? DatabaseFailure | DatabaseUnavailable
  : never

/** Translate domain and port failures into the HTTP errors declared on the endpoints. */
export const httpErrors = <A, E extends DomainError, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, ToApiError<E>, R> =>
  Effect.catchAll(effect, (error) => Effect.flatMap(toApiError(error), (e) => Effect.fail(e as ToApiError<E>)))
