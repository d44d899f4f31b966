import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Duration, Effect, Schema } from "effect"
import { DatabaseFailure, DatabaseUnavailable, errorBody, NotFoundError } from "../http/ApiErrors.js"

// Sign-in errors have the body every docport error has: `_tag`, a `message`, and the `detail` Gofannon's UI shows.
const body = { message: Schema.String, detail: Schema.String }
export class Unauthorized extends Schema.TaggedError<Unauthorized>("Unauthorized")("Unauthorized", body, HttpApiSchema.annotations({ status: 401 })) {}
export class Forbidden extends Schema.TaggedError<Forbidden>("Forbidden")("Forbidden", body, HttpApiSchema.annotations({ status: 403 })) {}
export class TooManyRequests extends Schema.TaggedError<TooManyRequests>("TooManyRequests")("TooManyRequests", body, HttpApiSchema.annotations({ status: 429 })) {}
export class SignInFailed extends Schema.TaggedError<SignInFailed>("SignInFailed")("SignInFailed", body, HttpApiSchema.annotations({ status: 400 })) {}
export class ProviderUnavailable extends Schema.TaggedError<ProviderUnavailable>("ProviderUnavailable")("ProviderUnavailable", body, HttpApiSchema.annotations({ status: 502 })) {}

// The same classes as the data routes' errors of the same `_tag` and status, not look-alikes: the
// API encodes every error through one union of them all, and a class of another name with the
// same tag and fields matched a NotFoundError too, rebuilt as that class (its validation, its
// stack captured) before the union reached the right one.
export const UnknownProvider = NotFoundError
export type UnknownProvider = NotFoundError
export const TokenNotFound = NotFoundError
export type TokenNotFound = NotFoundError
export const AuthStoreFailed = DatabaseFailure
export type AuthStoreFailed = DatabaseFailure
export const AuthStoreUnavailable = DatabaseUnavailable
export type AuthStoreUnavailable = DatabaseUnavailable

/** Gofannon's UI opens its "session expired" dialog on `session_expired` only; `not_authenticated` is a plain 401. */
export type AuthReason = "not_authenticated" | "session_expired"

const setHeader = (name: string, value: string) =>
  HttpApp.appendPreResponseHandler((_request, response) =>
    Effect.succeed(HttpServerResponse.setHeader(response, name, value))
  )

export const unauthorized = (reason: AuthReason, message: string) =>
  Effect.zipRight(setHeader("X-Auth-Reason", reason), Effect.fail(new Unauthorized(errorBody(message))))

export const forbidden = (message: string) => Effect.fail(new Forbidden(errorBody(message)))

export const tooManyRequests = (retryAfter: Duration.Duration, what = "failed sign-in attempts") => {
  const seconds = Math.max(1, Math.ceil(Duration.toSeconds(retryAfter)))
  return Effect.zipRight(
    setHeader("Retry-After", String(seconds)),
    Effect.fail(new TooManyRequests(errorBody(`too many ${what}; try again in ${seconds} s`)))
  )
}

export const signInFailed = Effect.fail(new SignInFailed(errorBody("sign-in failed; please start again from the sign-in page")))

export const providerUnavailable = (type: string) =>
  Effect.fail(new ProviderUnavailable(errorBody(`the ${type} sign-in provider could not be reached; try again later`)))

/** The log gets the store's message; the body says only that sign-in storage failed. */
export const storeFailure = (error: { readonly message: string; readonly unavailable: boolean; readonly operation: string }) =>
  Effect.zipRight(
    Effect.logError(`sign-in storage: ${error.operation} failed: ${error.message}`),
    Effect.fail(
      error.unavailable
        ? new AuthStoreUnavailable(errorBody("the database is unavailable"))
        : new AuthStoreFailed(errorBody("the database failed"))
    )
  )
