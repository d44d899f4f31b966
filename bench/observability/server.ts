// One docport server on memory for instrumentationBench.ts, built as main.ts builds it, with
// the port's instrumentation and the request middleware switched by environment variables.
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { Effect, Layer, Logger, LogLevel } from "effect"
import { createServer } from "node:http"
import * as MemoryDatabase from "../../src/adapters/MemoryDatabase.js"
import { makeHttpLive } from "../../src/app/HttpLive.js"
import { LoggingLive } from "../../src/app/observability/Logging.js"
import { TracingLive } from "../../src/app/observability/Tracing.js"
import { DatabaseService } from "../../src/ports/DatabaseService.js"

const instrument = process.env.BENCH_INSTRUMENT !== "off"
const database = Layer.effect(DatabaseService, MemoryDatabase.makeWith({ instrument }))
const server = NodeHttpServer.layer(createServer, { port: Number(process.env.PORT), host: "127.0.0.1" })

makeHttpLive(database, server, { observeRequests: (process.env.BENCH_OBSERVE ?? process.env.BENCH_INSTRUMENT) !== "off" }).pipe(
  Layer.launch,
  Effect.provide(TracingLive),
  // Runtime settings, to measure what they change: BENCH_MAX_OPS (ops a fiber runs before it
  // yields, Effect's default 2048) and BENCH_TRACER_TIMING=off (spans without clock readings).
  (program) => process.env.BENCH_MAX_OPS === undefined ? program : Effect.withMaxOpsBeforeYield(program, Number(process.env.BENCH_MAX_OPS)),
  (program) => process.env.BENCH_TRACER_TIMING === "off" ? Effect.withTracerTiming(program, false) : program,
  // BENCH_HTTP_SPAN=off: no request span (the platform's tracer middleware skips every request).
  (program) => process.env.BENCH_HTTP_SPAN === "off" ? Effect.locally(program, HttpMiddleware.currentTracerDisabledWhen, () => true) : program,
  // Access lines are left out unless BENCH_ACCESS_LOG=on (then written as main.ts writes them,
  // by LoggingLive; this process's stdout is discarded): the bench measures metrics and spans.
  Effect.provide(process.env.BENCH_ACCESS_LOG === "on" ? LoggingLive : Logger.minimumLogLevel(LogLevel.Warning)),
  (program) => NodeRuntime.runMain(program, { disablePrettyLogger: true })
)
