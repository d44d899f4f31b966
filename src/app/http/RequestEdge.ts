import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import { Effect } from "effect"
import { errorResponse } from "./ErrorResponse.js"
import { jsonBody } from "./JsonBody.js"
import { withLiteralSeparators } from "./PathSeparators.js"
import { withRequest } from "./withRequest.js"

/** Whether the path (the query aside) ends in '/' and is more than '/': where only reads are served. */
export const endsInSlash = (url: string): boolean => {
  const queryAt = url.indexOf("?")
  const path = queryAt === -1 ? url : url.slice(0, queryAt)
  return path.length > 1 && path.endsWith("/")
}

// The router takes `/x/` for `/x`. For a change that is not harmless: a data-store key `..` in
// a browser's `DELETE …/records/..` arrives as `DELETE /data-store/namespaces/<ns>/`, and cleared
// the whole namespace. No route of docport's ends in a slash, and no client of it sends one.
const trailingSlash = (method: string) =>
  errorResponse(
    404,
    "NotFound",
    `no route for ${method} on a path ending in '/': no resource of this API ends in one (a data-store key ending in '/' is sent as %2F)`
  )

/**
 * What every request meets before routing: its path read as sent (PathSeparators.ts), then its
 * body checked and read (JsonBody.ts). One Effect step for both, each step about 1.7 K
 * instructions of every request (withRequest.ts). The rewritten request, where there is one, is
 * the one the body is kept on and the router reads.
 */
export const requestEdge = (maxBytes: number) => {
  const body = jsonBody(maxBytes)
  return <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R> =>
    withRequest((sent) => {
      if (sent.method !== "GET" && sent.method !== "HEAD" && sent.method !== "OPTIONS" && endsInSlash(sent.url)) {
        return Effect.succeed(trailingSlash(sent.method))
      }
      const request = withLiteralSeparators(sent)
      const answer = body(request, app)
      return request === sent ? answer : Effect.provideService(answer, HttpServerRequest.HttpServerRequest, request)
    })
}
