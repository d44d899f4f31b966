import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"

const RAW_SEPARATOR = /[;#]/g
const ENCODED: Record<string, string> = { ";": "%3B", "#": "%23" }

/**
 * A raw ';' or '#' in a path is data, as RFC 3986 has it: the router (find-my-way) ends the path
 * there as it does at '?', so `DELETE /data-store/namespaces/notes;v2/records/k1` cleared all of
 * `notes`, `PUT …/records/k1;draft` wrote `k1` and `DELETE /agents/{id};/undeploy` deleted the
 * agent. The request with them percent-encoded, so that each names what was sent; the request
 * itself where it has neither (every browser's: encodeURIComponent encodes both).
 */
export const withLiteralSeparators = (request: HttpServerRequest.HttpServerRequest): HttpServerRequest.HttpServerRequest => {
  const url = request.url
  if (url.indexOf(";") === -1 && url.indexOf("#") === -1) return request
  const queryAt = url.indexOf("?")
  const path = queryAt === -1 ? url : url.slice(0, queryAt)
  const encoded = path.replace(RAW_SEPARATOR, (c) => ENCODED[c]!)
  return encoded === path ? request : request.modify({ url: queryAt === -1 ? encoded : encoded + url.slice(queryAt) })
}
