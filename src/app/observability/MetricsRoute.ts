import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Effect } from "effect"
import { MetricsText } from "./WorkerMetrics.js"

/**
 * GET /metrics in Prometheus' text format, beside the API rather than in it: it is for scrapers,
 * not for the UI's OpenAPI client.
 */
export const MetricsRoute = HttpApiBuilder.Router.use((router) =>
  // Read when the route is built, as the API's groups read their services: a request's fiber does
  // not carry the application's services (LeanContext.ts).
  Effect.flatMap(MetricsText, (metricsText) =>
    router.get(
      "/metrics",
      Effect.map(metricsText, (text) => HttpServerResponse.text(text, { contentType: "text/plain; version=0.0.4; charset=utf-8" }))
    ))
)
