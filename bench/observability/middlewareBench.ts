// What the request middleware (src/app/observability/RequestObservability.ts) costs, measured in
// one process without sockets, so that a busy neighbour on this shared machine does not swamp a
// few microseconds: a trivial app run as the Node server runs a request (HttpApp.toHandled, the
// platform's tracer middleware, one fiber per request), without middleware and with each variant,
// in slices of a few thousand requests whose order rotates. CPU µs per request, medians.
// Run: npx tsx bench/observability/middlewareBench.ts (BENCH_ROUNDS, BENCH_ONLY=name,name to choose)
// Figures from tsx carry its helpers (`__name` on every function); they compare, they do not
// replace the compiled server's, measured by instrumentationBench.ts.
import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Effect, Logger, LogLevel, ManagedRuntime, Runtime } from "effect"
import { observeRequests } from "../../src/app/observability/RequestObservability.js"

type Middleware = (app: any) => any
interface Variant {
  /** Around the application, inside the server's response handling. */
  readonly inner?: Middleware
  /** The server's middleware. */
  readonly outer?: Middleware
}

const variants: Record<string, Variant> = {
  none: {},
  "observeRequests around the app": { inner: (app) => observeRequests(app, "memory") },
  "observeRequests as the server's middleware": { outer: (app) => observeRequests(app, "memory") }
}

const app: HttpApp.Default = Effect.as(Effect.annotateCurrentSpan("http.route", "/agents/:id"), HttpServerResponse.text("ok"))

const runtime = await ManagedRuntime.make(
  Logger.minimumLogLevel(LogLevel.Warning)
).runtime()
const runFork = Runtime.runFork(runtime)

const handlers = Object.fromEntries(
  Object.entries(variants).map((
    [name, { inner, outer }]
  ) => [name, HttpApp.toHandled(inner === undefined ? app : inner(app), () => Effect.void, outer) as Effect.Effect<void, never, HttpServerRequest.HttpServerRequest>])
)

const request = HttpServerRequest.fromWeb(new Request("http://127.0.0.1/agents/a1", { headers: { "user-agent": "bench" } }))

const slice = async (handler: Effect.Effect<unknown, unknown, HttpServerRequest.HttpServerRequest>, n: number) => {
  const started = process.cpuUsage()
  for (let i = 0; i < n; i++) {
    const fiber = runFork(Effect.provideService(handler, HttpServerRequest.HttpServerRequest, request))
    // A request that finished synchronously is done; one that did not is awaited.
    if (fiber.unsafePoll() === null) await new Promise<void>((resolve) => fiber.addObserver(() => resolve()))
  }
  const used = process.cpuUsage(started)
  return (used.user + used.system) / n
}

const median = (values: ReadonlyArray<number>) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const names = process.env.BENCH_ONLY?.split(",") ?? Object.keys(handlers)
const perRequest: Record<string, Array<number>> = Object.fromEntries(names.map((n) => [n, []]))
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30)
for (const name of names) await slice(handlers[name]!, 20_000)
for (let round = 0; round < ROUNDS; round++) {
  for (let k = 0; k < names.length; k++) {
    const name = names[(k + round) % names.length]!
    perRequest[name]!.push(await slice(handlers[name]!, 5_000))
  }
}
console.log("| middleware | CPU µs/request | over none |\n| --- | --- | --- |")
const none = perRequest.none === undefined ? NaN : median(perRequest.none)
for (const name of names) {
  const m = median(perRequest[name]!)
  console.log(`| ${name} | ${m.toFixed(2)} | +${(m - none).toFixed(2)} |`)
}
