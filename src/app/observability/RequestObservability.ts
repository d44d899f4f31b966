import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { causeResponse } from "@effect/platform/HttpServerError"
import { Context, Effect, Exit, type Fiber, FiberRef, LogLevel, MetricLabel } from "effect"
import { randomUUID } from "node:crypto"
import { DatabaseService } from "../../ports/DatabaseService.js"
import { requestDuration, requestsInFlight } from "./HttpMetrics.js"

/** A request id from a client or proxy is kept only when it is a plain token, safe in a header and a log line. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:@+=-]{1,128}$/

export const requestIdOf = (given: string | undefined): string =>
  given !== undefined && SANE_REQUEST_ID.test(given) ? given : randomUUID()

let inFlight = 0

// One label array per series, reused: Effect caches a series by the array's identity.
const labelSets = new Map<string, ReadonlyArray<MetricLabel.MetricLabel>>()
const labelsFor = (method: string, route: string, status: number) => {
  const key = `${method} ${route} ${status}`
  let labels = labelSets.get(key)
  if (labels === undefined) {
    labels = [MetricLabel.make("method", method), MetricLabel.make("route", route), MetricLabel.make("status", String(status))]
    labelSets.set(key, labels)
  }
  return labels
}

const statusOf = <E>(exit: Exit.Exit<HttpServerResponse.HttpServerResponse, E>) =>
  Exit.isSuccess(exit) ? Effect.succeed(exit.value.status) : Effect.map(causeResponse(exit.cause), ([response]) => response.status)

const unmatched = "unmatched"

/**
 * Around every request: an `x-request-id` (the caller's, or a new one) echoed in the response and
 * put on every log line of the request and on its span; one access-log line; the request
 * histogram and the in-flight gauge. The route is the pattern the router matched (it sets
 * `http.route` on the request span), so paths with ids do not make a series each.
 *
 * Written with combinators and synchronous reads of the fiber (its context, span and log level)
 * rather than Effect.gen: this runs on every request, and each generator step costs a resume.
 */
export const observeRequests = <E, R>(
  app: HttpApp.Default<E, R>
): HttpApp.Default<E, R | DatabaseService> =>
  Effect.withFiberRuntime((fiber) => {
    const request = Context.unsafeGet(fiber.currentContext, HttpServerRequest.HttpServerRequest)
    const requestId = requestIdOf(request.headers["x-request-id"])
    return Effect.annotateLogs(observe(app, request, requestId, fiber), "requestId", requestId)
  })

const observe = <E, R>(
  app: HttpApp.Default<E, R>,
  request: HttpServerRequest.HttpServerRequest,
  requestId: string,
  fiber: Fiber.RuntimeFiber<unknown, unknown>
): HttpApp.Default<E, R | DatabaseService> => {
  const { provider } = Context.unsafeGet(fiber.currentContext as Context.Context<DatabaseService>, DatabaseService)
  const span = fiber.currentSpan?._tag === "Span" ? fiber.currentSpan : undefined
  span?.attribute("http.request.id", requestId)
  const started = performance.now()
  requestsInFlight.unsafeUpdate(++inFlight, [])
  // onExit rather than exit-then-flatMap: one finalizer that also runs when the client goes away.
  const served = Effect.onExit(app, (exit) => {
    requestsInFlight.unsafeUpdate(--inFlight, [])
    const seconds = (performance.now() - started) / 1000
    return Effect.flatMap(statusOf(exit), (status) => {
      const route = span === undefined ? unmatched : String(span.attributes.get("http.route") ?? unmatched)
      requestDuration.unsafeUpdate(seconds, labelsFor(request.method, route, status))
      // The access line is built only when it will be written: its message and six annotations
      // cost more than the rest of this middleware when LOG_LEVEL leaves info out.
      if (LogLevel.greaterThan(fiber.getFiberRef(FiberRef.currentMinimumLogLevel), LogLevel.Info)) return Effect.void
      return Effect.logInfo(`${request.method} ${route} ${status}`).pipe(
        Effect.annotateLogs({ method: request.method, route, status, durationMs: Math.round(seconds * 10_000) / 10, provider })
      )
    })
  })
  return Effect.zipRight(
    HttpApp.appendPreResponseHandler((_request, response) => Effect.succeed(HttpServerResponse.setHeader(response, "x-request-id", requestId))),
    served
  )
}
