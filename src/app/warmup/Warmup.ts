import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { Clock, ConfigProvider, Duration, Effect, FiberRef, HashSet, Layer, Option } from "effect"
import { createServer } from "node:http"
import * as MemoryDatabase from "../../adapters/MemoryDatabase.js"
import { makeHttpLive } from "../HttpLive.js"
import { currentAccessWriter, silenced } from "../observability/AccessLog.js"
import { warmupTracer } from "../observability/WarmupTracer.js"
import { setZero } from "../observability/MetricsZero.js"
import { loopbackClient, WarmupFailed } from "./LoopbackClient.js"
import { driveRounds } from "./driveRounds.js"
import { portOf } from "./serverPort.js"
import type { WarmupSettings } from "./WarmupConfig.js"
import { warmupRound } from "./WarmupRound.js"

// The private instance: the same application over a database of its own that lives only as long
// as the warm-up, on a port of its own. `exclusive`: in a cluster worker, a port 0 would otherwise
// be one port shared by every worker through the primary.
const privateApp = makeHttpLive(
  // Fresh: never the one instance a memory-backed server holds, even if built with the same memo map.
  Layer.fresh(MemoryDatabase.layer),
  NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1", exclusive: true })
)

/** Rounds of the UI's calls against the private instance (driveRounds.ts), within the settings' budget. */
const drive = (settings: WarmupSettings) =>
  Effect.scoped(Effect.gen(function*() {
    // The budget includes building the private instance: it is what the port waits for in all.
    const deadline = (yield* Clock.currentTimeMillis) + Duration.toMillis(settings.budget)
    const app = yield* Layer.build(privateApp)
    const send = yield* loopbackClient(portOf(app), settings.concurrency)
    return yield* driveRounds((tag) => warmupRound(send, tag), deadline, settings)
  })).pipe(
    // Its lines (the local-mode warning, the address, an access line per request) and its spans
    // are nobody's business: they describe no real request. Yet they run as a real request's do,
    // so that V8 compiles the code real requests run: an access line is formatted by the process's
    // own writer and dropped (AccessLog.ts), and spans are made by a tracer that exports nothing
    // but runs the same code as the process's own (WarmupTracer.ts). Trained with the tracer off
    // and lines sent to the (empty) loggers, a warmed process served 0.80 - 0.98 x an unwarmed
    // one's GETs in its seconds 4 to 10. Its configuration is fixed, so the operator's sign-in
    // providers, CORS origins or backend settings are never read or contacted.
    Effect.locally(FiberRef.currentLoggers, HashSet.empty()),
    Effect.locallyWith(currentAccessWriter, silenced),
    (self) => Effect.flatMap(FiberRef.get(warmupTracer), (tracer) => Effect.withTracer(self, tracer)),
    Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))
  )

/**
 * Before the process's own port opens: the hot paths (router, schemas, encoders, domain, port) run
 * a few thousand times on a private in-memory instance, so that the first clients are served by
 * compiled code. It never touches the configured backend, and what it counted in the process's
 * metrics is subtracted from /metrics. A failure only costs the warmth: the server starts anyway.
 */
export const warmUp = (settings: WarmupSettings) =>
  Effect.gen(function*() {
    const started = yield* Clock.currentTimeMillis
    yield* Effect.logDebug(`warming up for at most ${Duration.format(settings.budget)} before opening the port`)
    // Bounded even if the private instance hung: its rounds only stop starting at the budget.
    const requests = yield* drive(settings).pipe(Effect.timeoutFail({
      duration: Duration.sum(settings.budget, Duration.seconds(5)),
      onTimeout: () => new WarmupFailed({ route: "warm-up", reason: "did not finish in time" })
    }))
    yield* setZero
    const ms = (yield* Clock.currentTimeMillis) - started
    yield* Effect.logInfo(`warmed up in ${ms} ms, ${requests} requests`)
  }).pipe(
    Effect.catchAll((error) =>
      Effect.zipRight(setZero, Effect.logWarning(`warm-up stopped, serving anyway: ${error instanceof WarmupFailed ? error.message : String(error)}`))
    )
  )

export const warmUpIfOn = (settings: Option.Option<WarmupSettings>) => Option.match(settings, { onNone: () => Effect.void, onSome: warmUp })
