import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpApiError from "@effect/platform/HttpApiError"
import type * as HttpApp from "@effect/platform/HttpApp"
import { Effect } from "effect"
import { DocportApi } from "./Api.js"
import { errorBody, ValidationError } from "./ApiErrors.js"

/**
 * A body that fails its endpoint's schema answers 422 as FastAPI does (Gofannon's clients expect
 * it), with the one-line message the payload's `readableMessage` annotation made, instead of
 * @effect/platform's 400 with the schema's issues (which quote the value sent).
 */
export const ValidationErrorsLive = HttpApiBuilder.middleware(DocportApi, (app) =>
  // The app's failures are the endpoints' errors, which its type does not carry.
  Effect.catchIf(
    app as HttpApp.Default<unknown>,
    (error): error is HttpApiError.HttpApiDecodeError => error instanceof HttpApiError.HttpApiDecodeError,
    (error) => Effect.fail(new ValidationError(errorBody(error.message)))
  ) as HttpApp.Default<ValidationError>)
