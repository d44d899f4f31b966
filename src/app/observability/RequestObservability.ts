import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { causeResponse } from "@effect/platform/HttpServerError"
import { Context, Effect, FiberRef, LogLevel, MetricLabel, Scope } from "effect"
import { randomBytes } from "node:crypto"
import { accessMessage, currentAccessWriter } from "./AccessLog.js"
import { requestDuration, requestsInFlight } from "./HttpMetrics.js"
import { redactUrlAttributes } from "./RedactedUrl.js"
import { REQUEST_ID_ATTRIBUTE } from "./RequestIdLogs.js"
import { seriesCache } from "./SeriesCache.js"

/** A request id from a client or proxy is kept only when it is a plain token, safe in a header and a log line. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:@+=-]{1,128}$/

// A fresh id is this process's random 20 hex digits and a counter, in a UUID's 8-4-4-4-12
// layout: unique across processes and restarts as a random UUID is, at a fraction of the cost of
// drawing 122 random bits per request (it is not a version-4 UUID and does not claim to be one).
const prefix = randomBytes(10).toString("hex").replace(/^(.{8})(.{4})(.{4})(.{4})/, "$1-$2-$3-$4-")
let issued = 0

const freshRequestId = () => prefix + (issued = (issued + 1) % 0x1_0000_0000_0000).toString(16).padStart(12, "0")

export const requestIdOf = (given: string | undefined): string =>
  given !== undefined && SANE_REQUEST_ID.test(given) ? given : freshRequestId()

let inFlight = 0

// One label array per series, reused: Effect caches a series by the array's identity.
const labelsFor = seriesCache((method, route, status): ReadonlyArray<MetricLabel.MetricLabel> => [
  MetricLabel.make("method", method),
  MetricLabel.make("route", route),
  MetricLabel.make("status", String(status))
])

const unmatched = "unmatched"

/**
 * Around every request: an `x-request-id` (the caller's when it is a sane token, a fresh one
 * otherwise) echoed in the response and put on its span, whence the loggers put it on every log
 * line of the request (Logging.ts), and on its access line;
 * one access-log line; the request histogram and the in-flight gauge; the query's values taken
 * out of the request span (RedactedUrl.ts). The route is the pattern
 * the router matched (it sets `http.route` on the request span), so paths with ids do not make a
 * series each.
 *
 * It wraps the application inside the server's response handling (see HttpLive.ts) rather than
 * as the server's middleware: there the response is still a value, so the header is set on it
 * directly (a pre-response handler costs more; only a failure the application did not turn into
 * a response takes that way), and the server skips the steps it adds around a middleware. A
 * streamed body is written after this returns, so its request is recorded when the request's
 * scope closes.
 *
 * Written for few Effect steps, since it runs on every request: synchronous reads of the fiber
 * (its context, span and log level) instead of Effect.gen; the id kept on the span rather than in
 * the fiber's log annotations, whose change copies the fiber's FiberRefs (about 1.5 µs a request
 * in a profile under load) for lines that most requests never log; and one `matchCauseEffect`
 * rather than `onExit`, since the server runs the request uninterruptibly (HttpApp.toHandled) and
 * the handler below always runs.
 */
export const observeRequests = <E, R>(
  app: HttpApp.Default<E, R>,
  provider: string
): HttpApp.Default<E, R | Scope.Scope> =>
  Effect.withFiberRuntime((fiber) => {
    const request = Context.unsafeGet(fiber.currentContext as Context.Context<HttpServerRequest.HttpServerRequest>, HttpServerRequest.HttpServerRequest)
    const requestId = requestIdOf(request.headers["x-request-id"])
    const withId = (response: HttpServerResponse.HttpServerResponse) => HttpServerResponse.setHeader(response, "x-request-id", requestId)
    const span = fiber.currentSpan?._tag === "Span" ? fiber.currentSpan : undefined
    span?.attribute(REQUEST_ID_ATTRIBUTE, requestId)
    if (span !== undefined && request.url.includes("?")) redactUrlAttributes(span)
    const started = performance.now()
    requestsInFlight.unsafeUpdate(++inFlight, [])
    // An Effect only when the line goes through Effect's loggers; undefined when all is done.
    const record = (status: number): Effect.Effect<void> | undefined => {
      requestsInFlight.unsafeUpdate(--inFlight, [])
      const seconds = (performance.now() - started) / 1000
      const route = span === undefined ? unmatched : String(span.attributes.get("http.route") ?? unmatched)
      requestDuration.unsafeUpdate(seconds, labelsFor(request.method, route, status))
      // The access line is built only when it will be written: its message and annotations cost
      // more than the rest of this middleware when LOG_LEVEL leaves info out.
      if (LogLevel.greaterThan(fiber.getFiberRef(FiberRef.currentMinimumLogLevel), LogLevel.Info)) return undefined
      const entry = {
        requestId,
        method: request.method,
        route,
        status,
        durationMs: Math.round(seconds * 10_000) / 10,
        provider
      }
      const write = fiber.getFiberRef(currentAccessWriter)
      if (write !== undefined) {
        write(fiber, entry)
        return undefined
      }
      return Effect.annotateLogs(Effect.logInfo(accessMessage(entry)), entry)
    }
    return Effect.matchCauseEffect(app, {
      onSuccess: (response) => {
        const answer = withId(response)
        if (answer.body._tag !== "Stream") {
          const logged = record(answer.status)
          // Two Effect steps fewer per request than Effect.as(Effect.void, answer).
          return logged === undefined ? Effect.succeed(answer) : Effect.as(logged, answer)
        }
        // Recorded when the request's scope closes, after the server has written the stream, or
        // not run it at all (HEAD, a client gone first).
        return Effect.as(Effect.flatMap(Effect.scope, (scope) => Scope.addFinalizer(scope, Effect.suspend(() => record(answer.status) ?? Effect.void))), answer)
      },
      onFailure: (cause) =>
        Effect.zipRight(
          Effect.flatMap(causeResponse(cause), ([response]) => record(response.status) ?? Effect.void),
          Effect.zipRight(HttpApp.appendPreResponseHandler((_request, response) => Effect.succeed(withId(response))), Effect.failCause(cause))
        )
    })
  })
