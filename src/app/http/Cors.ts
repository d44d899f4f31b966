import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import { Config, Effect, Layer } from "effect"
import { frontendUrlsConfig } from "./FrontendUrls.js"
import { withRequest } from "./withRequest.js"

/** The origins of FRONTEND_URL's URLs: what a browser on the web UI sends as its Origin. */
export const FrontendOrigins = Config.map(frontendUrlsConfig, (urls) => urls.map((url) => url.origin))

/**
 * CORS for the configured origins only: a request from one of them gets @effect/platform's CORS
 * headers with credentials (the session cookie) and its preflight is answered; any other request
 * gets no CORS header at all and goes on to the routes, so a browser on another origin is refused.
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
    return withRequest((request) => {
      const origin = request.headers["origin"]
      return origin !== undefined && allowed.has(origin) ? withCors : app
    })
  })
}

export const CorsLive = Layer.unwrapEffect(
  Effect.map(FrontendOrigins, (origins) => origins.length === 0 ? Layer.empty : HttpApiBuilder.middleware(corsFor(origins)))
)
