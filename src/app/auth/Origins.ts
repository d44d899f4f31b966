import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import { isLoopbackHost } from "../LoopbackName.js"

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"])

export const changesState = (request: HttpServerRequest.HttpServerRequest) => !SAFE_METHODS.has(request.method)

/** A Host header naming a loopback address; anything else reaching a loopback server came by DNS rebinding. */
export const loopbackHostHeader = (request: HttpServerRequest.HttpServerRequest) =>
  isLoopbackHost(request.headers["host"] ?? "")

export type OriginVerdict = "allowed" | "foreign" | "unknown"

/**
 * Where a browser says a request comes from: its Origin, else Sec-Fetch-Site. "unknown" means a
 * client that sends neither (curl, a script), which is no browser and so no cross-site forgery.
 */
export const originOf = (request: HttpServerRequest.HttpServerRequest, allowed: ReadonlySet<string>): OriginVerdict => {
  const origin = request.headers["origin"]
  if (origin !== undefined) return allowed.has(origin) ? "allowed" : "foreign"
  const site = request.headers["sec-fetch-site"]
  if (site !== undefined) return site === "same-origin" || site === "none" ? "allowed" : "foreign"
  return "unknown"
}
