import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import { Config, ConfigError, Effect, Either, Layer } from "effect"

/**
 * FRONTEND_URL: the origins Gofannon's UI is served from when it is not served by docport's own
 * host (its dev server, say), comma-separated. Each must be a URL; its origin is what a browser sends.
 */
export const FrontendOrigins = Config.string("FRONTEND_URL").pipe(
  Config.withDefault(""),
  Config.mapOrFail((value) => {
    const origins: Array<string> = []
    for (const part of value.split(",").map((p) => p.trim()).filter((p) => p.length > 0)) {
      try {
        const url = new URL(part)
        if (url.origin === "null") throw new Error("no origin")
        origins.push(url.origin)
      } catch {
        return Either.left(ConfigError.InvalidData(["FRONTEND_URL"], `'${part.slice(0, 100)}' is not a URL such as http://localhost:3000`))
      }
    }
    return Either.right(origins)
  })
)

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
    return Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
      const origin = request.headers["origin"]
      return origin !== undefined && allowed.has(origin) ? withCors : app
    })
  })
}

export const CorsLive = Layer.unwrapEffect(
  Effect.map(FrontendOrigins, (origins) => origins.length === 0 ? Layer.empty : HttpApiBuilder.middleware(corsFor(origins)))
)
