import { type HttpApp, HttpServerError, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Cause, Effect } from "effect"

const reply = (status: number, _tag: string, message: string) => HttpServerResponse.unsafeJson({ _tag, message, detail: message }, { status })

/**
 * Failures that happen before an endpoint runs (unreadable body, no such route) would otherwise
 * be answered with an empty body; give them the same JSON shape as every other error.
 */
export const fallbackErrors = <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R> =>
  Effect.catchAllCause(app, (cause) => {
    const error = Cause.squash(cause)
    if (HttpServerError.isServerError(error)) {
      if (error._tag === "RequestError") {
        const message = error.reason === "Decode" ? "the request body is not valid JSON" : `the request could not be read (${error.reason})`
        return Effect.succeed(reply(400, "BadRequest", message))
      }
      if (error._tag === "RouteNotFound") {
        return Effect.map(HttpServerRequest.HttpServerRequest, (request) =>
          reply(404, "NotFound", `no route for ${request.method} ${request.url.split("?")[0]}`))
      }
    }
    return Effect.failCause(cause)
  })
