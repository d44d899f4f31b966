import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import type * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerError from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import { Cause, Chunk, Effect } from "effect"
import { describeCause } from "./describeCause.js"
import { errorResponse } from "./ErrorResponse.js"
import { endsInSlash } from "./RequestEdge.js"

// A path in a message is the client's own, shortened as ids are in theirs.
const shown = (path: string) => path.length > 80 ? `${path.slice(0, 80)}…` : path

const segments = (path: string) => path.split("/").filter((segment) => segment.length > 0)

// The router's own matching, as far as telling which methods a path has: `:name` takes one
// segment, `*` the rest (at least one segment: `/records/` has no key); case-sensitive, trailing
// and repeated slashes ignored.
const matches = (pattern: string, path: ReadonlyArray<string>): boolean => {
  const parts = segments(pattern)
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!
    if (part === "*") return i < path.length
    if (i >= path.length || (!part.startsWith(":") && part !== path[i])) return false
  }
  return parts.length === path.length
}

const allowedMethods = (router: HttpRouter.HttpRouter<unknown, unknown>, url: string): Array<string> => {
  const path = segments(url.split("?")[0]!)
  const methods = new Set<string>()
  for (const route of Chunk.toReadonlyArray(router.routes)) {
    if (matches(route.path, path)) methods.add(route.method)
  }
  // The server answers HEAD wherever it answers GET.
  if (methods.has("GET")) methods.add("HEAD")
  // A change on such a path is refused before routing (RequestEdge.ts).
  if (endsInSlash(url)) return [...methods].filter((m) => m === "GET" || m === "HEAD").sort()
  return [...methods].sort()
}

/** Whether the path holds an escape that is not percent-encoded UTF-8 (`%ff`, `%zz`, a cut sequence). */
const undecodable = (path: string): boolean => {
  try {
    decodeURIComponent(path)
    return false
  } catch {
    return true
  }
}

/**
 * Failures that happen outside an endpoint (unreadable body, no such route or method, a defect)
 * get the JSON shape of every other error instead of the platform's empty body. A defect's cause
 * goes to the log, described without secrets, never to the client. Needs the API's router
 * (HttpApiBuilder.Router) to tell a wrong method (405 with `Allow`) from an unknown path (404).
 */
export const fallbackErrors = Effect.map(HttpApiBuilder.Router, (routes) =>
  <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R> =>
    Effect.catchAllCause(app, (cause) => {
      const error = Cause.squash(cause)
      if (HttpServerError.isServerError(error)) {
        if (error._tag === "RequestError") {
          const message = error.reason === "Decode" ? "the request body is not valid JSON" : `the request could not be read (${error.reason})`
          return Effect.succeed(errorResponse(400, "BadRequest", message))
        }
        if (error._tag === "RouteNotFound") {
          return Effect.gen(function*() {
            const request = yield* HttpServerRequest.HttpServerRequest
            const fullPath = request.url.split("?")[0]!
            const path = shown(fullPath)
            // The router finds no route when it cannot decode a parameter, though the path's shape
            // has one: the client's mistake, which a 405 or 404 would misname.
            if (undecodable(fullPath)) return errorResponse(400, "BadRequest", `the path ${path} is not valid percent-encoding of UTF-8`)
            const allowed = allowedMethods(yield* routes.router, request.url)
            return allowed.length > 0 && !allowed.includes("*")
              ? errorResponse(405, "MethodNotAllowed", `${path} does not take ${request.method}; it takes ${allowed.join(", ")}`, {
                allow: allowed.join(", ")
              })
              : errorResponse(404, "NotFound", `no route for ${request.method} ${path}`)
          })
        }
      }
      // The endpoints' declared errors are turned into responses by the API itself, outside this.
      if (Cause.isInterruptedOnly(cause) || Cause.isFailType(cause) || Cause.failureOption(cause)._tag === "Some") {
        return Effect.failCause(cause)
      }
      return Effect.logError(`unexpected failure: ${describeCause(error)}`).pipe(
        Effect.as(errorResponse(500, "InternalError", "the request failed unexpectedly"))
      )
    }))
