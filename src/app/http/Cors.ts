import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Config, Effect, Layer } from "effect"
import { frontendUrlsConfig } from "./FrontendUrls.js"
import { withRequest } from "./withRequest.js"

/** The origins of FRONTEND_URL's URLs: what a browser on the web UI sends as its Origin. */
export const FrontendOrigins = Config.map(frontendUrlsConfig, (urls) => urls.map((url) => url.origin))

/**
 * CORS for the configured origins only: a request from one of them gets @effect/platform's CORS
 * headers with credentials (the session cookie) and its preflight is answered; any other request
 * gets no CORS header at all and goes on to the routes, so a browser on another origin is refused.
 * Every answer says `Vary: Origin`, those without CORS headers too: a cache that kept one answered
 * without them would otherwise hand it to the UI's origin, which the browser would then refuse.
 */
export const corsFor = (origins: ReadonlyArray<string>) => {
  const allowed = new Set(origins)
  const cors = HttpMiddleware.cors({
    allowedOrigins: (origin) => allowed.has(origin),
    credentials: true,
    exposedHeaders: ["X-Auth-Reason"],
    maxAge: 600
  })
  return HttpMiddleware.make((app) => {
    const withCors = cors(app)
    const withVary = Effect.map(app, HttpServerResponse.setHeader("vary", "Origin"))
    return withRequest((request) => {
      const origin = request.headers["origin"]
      return origin !== undefined && allowed.has(origin) ? withCors : withVary
    })
  })
}

export const CorsLive = Layer.unwrapEffect(
  Effect.map(FrontendOrigins, (origins) => origins.length === 0 ? Layer.empty : HttpApiBuilder.middleware(corsFor(origins)))
)
