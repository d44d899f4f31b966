import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Effect, Schema } from "effect"
import type { FriendlyNameTaken, NoFriendlyName, UndeployableName } from "../../domain/Deployment.js"
import type { Conflict, DatabaseError, InvalidDocument, InvalidName, NotFound } from "../../ports/Errors.js"
import { describeCause, redactSecrets } from "./describeCause.js"

// What the HTTP edge sends: a `_tag`, a readable `message` and the same line as `detail`, which is
// the field Gofannon's UI shows (FastAPI's name for it). Never a backend's cause or message.
const body = { message: Schema.String, detail: Schema.String }

/** The fields of an error body: `detail` repeats `message`, so either reader sees one readable line. */
export const errorBody = (message: string) => ({ message, detail: message })

export class NotFoundError extends Schema.TaggedError<NotFoundError>()("NotFound", body, HttpApiSchema.annotations({ status: 404 })) {}
export class ConflictError extends Schema.TaggedError<ConflictError>()("Conflict", body, HttpApiSchema.annotations({ status: 409 })) {}
export class BadRequestError extends Schema.TaggedError<BadRequestError>()("BadRequest", body, HttpApiSchema.annotations({ status: 400 })) {}
/** A request body that does not match the endpoint's schema: 422, as FastAPI answers it. */
export class ValidationError extends Schema.TaggedError<ValidationError>()(
  "ValidationError",
  body,
  HttpApiSchema.annotations({ status: 422 })
) {}
export class DatabaseFailure extends Schema.TaggedError<DatabaseFailure>()("DatabaseError", body, HttpApiSchema.annotations({ status: 500 })) {}
export class DatabaseUnavailable extends Schema.TaggedError<DatabaseUnavailable>()(
  "DatabaseUnavailable",
  body,
  HttpApiSchema.annotations({ status: 503 })
) {}

/** A document over the size limit every backend shares (DocumentLimits). */
export class DocumentTooLarge extends Schema.TaggedError<DocumentTooLarge>()(
  "DocumentTooLarge",
  { message: Schema.String, detail: Schema.String },
  HttpApiSchema.annotations({ status: 413 })
) {}

export type DomainError = NotFound | Conflict | InvalidName | InvalidDocument | DatabaseError | NoFriendlyName | UndeployableName | FriendlyNameTaken
export type ApiError = NotFoundError | ConflictError | BadRequestError | DocumentTooLarge | DatabaseFailure | DatabaseUnavailable

type ApiErrorClass = { readonly _tag: string } & Schema.Schema.All

/**
 * The response the API would encode an error of this class with a `message` into (its declared
 * status; a JSON body of `message`, `detail` and `_tag`), built without making the error. The API
 * encodes an endpoint's failure through one union of every error it declares (@effect/platform's
 * HttpApiBuilder.httpApp): answered that way, a 404 cost docport 1.46 x the CPU of the bare
 * HttpApi's 404, answered this way 1.03 x (bench/HISTORY.md, 3 December).
 */
export const answerAs = (error: ApiErrorClass) => {
  const status = HttpApiSchema.getStatusError(error)
  return (message: string): HttpServerResponse.HttpServerResponse =>
    HttpServerResponse.unsafeJson({ ...errorBody(message), _tag: error._tag }, { status })
}

export const notFound = answerAs(NotFoundError)
export const conflict = answerAs(ConflictError)
export const badRequest = answerAs(BadRequestError)
export const tooLarge = answerAs(DocumentTooLarge)
const databaseFailed = answerAs(DatabaseFailure)
const databaseUnavailable = answerAs(DatabaseUnavailable)

// Agents and demos, the entities whose ids the server makes, are served at /{collection}/{id}.
const unconfirmedCreate = ({ collection, id }: { readonly collection: string; readonly id: string }) =>
  `the database is unavailable: the create was not confirmed, and if it was stored after all it is GET /${collection}/${id}; look there before creating it again`

/** The answer to a domain error. */
export const answerTo = (error: DomainError): Effect.Effect<HttpServerResponse.HttpServerResponse> => {
  switch (error._tag) {
    case "NotFound":
      return Effect.succeed(notFound(error.message))
    case "Conflict":
    case "FriendlyNameTaken":
      return Effect.succeed(conflict(error.message))
    case "InvalidDocument":
      return Effect.succeed(error.limit === "size" ? tooLarge(error.message) : badRequest(error.message))
    case "InvalidName":
    case "NoFriendlyName":
    case "UndeployableName":
      return Effect.succeed(badRequest(error.message))
    case "DatabaseError":
      // The client learns which operation failed and whether to retry; the backend's own words
      // (its reason and project) go to the log only, with credentials and addresses cut out.
      // One message: two would be two `message=` keys on a logfmt line, and a parser keeps one.
      return Effect.logError(databaseFailureLine(error)).pipe(
        Effect.as(
          error.unconfirmed !== undefined
            ? databaseUnavailable(unconfirmedCreate(error.unconfirmed))
            : error.unavailable
            ? databaseUnavailable(`the database is unavailable: '${error.operation}' could not be done, try again later`)
            : databaseFailed(`the database failed during '${error.operation}'`)
        )
      )
  }
}

const databaseFailureLine = (error: DatabaseError): string => {
  const cause = describeCause(error.cause)
  return redactSecrets(`database ${error.operation} failed: ${error.message}`) + (cause === "" ? "" : ` (${cause})`)
}

/** The HTTP error each domain error becomes, so every endpoint declares exactly what it can answer. */
export type ToApiError<E> = E extends NotFound ? NotFoundError
  : E extends Conflict | FriendlyNameTaken ? ConflictError
  : E extends InvalidName | NoFriendlyName | UndeployableName ? BadRequestError
  : E extends InvalidDocument ? BadRequestError | DocumentTooLarge
  : E extends DatabaseError ? DatabaseFailure | DatabaseUnavailable
  : never

/**
 * Domain and port failures answered as the HTTP errors declared on the endpoints. The error type
 * is those errors, though the effect answers them rather than failing with them: so the API still
 * checks that each endpoint declares every error it answers (its OpenAPI and typed client read the
 * declarations).
 */
export const httpErrors = <A, E extends DomainError, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A | HttpServerResponse.HttpServerResponse, ToApiError<E>, R> => Effect.catchAll(effect, answerTo)
