import { Metric, MetricBoundaries } from "effect"

/** Seconds per HTTP request, by method, route pattern (never the raw path) and status. */
export const requestDuration = Metric.histogram(
  "docport_http_request_duration_seconds",
  MetricBoundaries.exponential({ start: 0.001, factor: 2, count: 14 }),
  "Duration of HTTP requests, by method, route and status"
)

export const requestsInFlight = Metric.gauge("docport_http_requests_in_flight", {
  description: "HTTP requests being served"
})
