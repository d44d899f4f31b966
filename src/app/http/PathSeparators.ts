import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import { Effect } from "effect"
import { withRequest } from "./withRequest.js"

const RAW_SEPARATOR = /[;#]/g
const ENCODED: Record<string, string> = { ";": "%3B", "#": "%23" }

/**
 * A raw ';' or '#' in a path is data, as RFC 3986 has it: the router (find-my-way) ends the path
 * there as it does at '?', so `DELETE /data-store/namespaces/notes;v2/records/k1` cleared all of
 * `notes`, `PUT …/records/k1;draft` wrote `k1` and `DELETE /agents/{id};/undeploy` deleted the
 * agent. Percent-encoded before routing, each names what was sent. Requests without either
 * character (every browser's: encodeURIComponent encodes both) pass as they are.
 */
export const literalPathSeparators = <E, R>(app: HttpApp.Default<E, R>): HttpApp.Default<E, R> =>
  withRequest((request) => {
    const url = request.url
    if (url.indexOf(";") === -1 && url.indexOf("#") === -1) return app
    const queryAt = url.indexOf("?")
    const path = queryAt === -1 ? url : url.slice(0, queryAt)
    const encoded = path.replace(RAW_SEPARATOR, (c) => ENCODED[c]!)
    if (encoded === path) return app
    const read = request.modify({ url: queryAt === -1 ? encoded : encoded + url.slice(queryAt) })
    return Effect.provideService(app, HttpServerRequest.HttpServerRequest, read)
  })
