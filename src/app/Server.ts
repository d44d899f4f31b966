// Deep imports: the package index would also load cluster, RPC, SQL and WebSocket modules docport never uses.
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { Duration, Effect, Layer, type Option } from "effect"
import { layerFromConfig } from "../adapters/DatabaseLayer.js"
import * as GracefulServer from "./GracefulServer.js"
import { makeHttpLive } from "./HttpLive.js"
import { type MetricsText, workerMetricsLayer } from "./observability/WorkerMetrics.js"
import { ServerConfig } from "./ServerConfig.js"
import { adminPasswordConfig } from "./auth/AdminAccess.js"
import { authConfig, checkAuthSettings } from "./auth/AuthConfig.js"
import { ClientLogPerSecond } from "./http/ClientLogLimit.js"
import { MaxBodyBytes } from "./http/JsonBody.js"
import { warmUpIfOn } from "./warmup/Warmup.js"
import { WarmupConfig, type WarmupSettings } from "./warmup/WarmupConfig.js"
import { WORKER_READY } from "./Workers.js"

// A supervisor signals npm's whole process group, and npm passes the signal on: node gets it
// twice. Only the first starts the stop; the rest must not kill the process mid-drain (Node's
// default), and the whole stop is bounded by SHUTDOWN_TIMEOUT even if closing a client hangs.
const oneStopPerProcess = Layer.scopedDiscard(Effect.gen(function*() {
  const timeout = yield* GracefulServer.ShutdownTimeout
  const ignoreRepeats = () => {}
  process.on("SIGTERM", ignoreRepeats)
  process.on("SIGINT", ignoreRepeats)
  yield* Effect.addFinalizer(() =>
    Effect.sync(() => {
      setTimeout(() => {
        console.error(`docport did not stop within ${Duration.format(timeout)}; exiting anyway`)
        process.exit(1)
      }, Duration.toMillis(timeout)).unref()
    })
  )
}))

/**
 * The settings read once the server is built, checked before the warm-up: a wrong one stops
 * start-up at once rather than after the warm-up's seconds (they are read again where used).
 */
const laterSettingsChecked = Effect.all([
  Effect.flatMap(authConfig, checkAuthSettings),
  adminPasswordConfig,
  MaxBodyBytes,
  ClientLogPerSecond,
  GracefulServer.ShutdownTimeout
], { discard: true })

const serve = (
  graceful: Layer.Layer<GracefulServer.GracefulServer>,
  warmup: Option.Option<WarmupSettings>,
  whenServing: Layer.Layer<never> = Layer.empty,
  metrics: Layer.Layer<MetricsText> | Layer.Layer<never> = Layer.empty
) => {
  // The port opens only once the process is warm: a load balancer, a cluster's primary or a
  // health probe sees a closed port, never a cold server (the backend is connected by then).
  const serverLive = Layer.unwrapEffect(
    Effect.zipRight(Effect.zipRight(laterSettingsChecked, warmUpIfOn(warmup)), Effect.map(GracefulServer.GracefulServer, ({ server }) => NodeHttpServer.layerConfig(() => server, ServerConfig)))
  ).pipe(Layer.provide(graceful))
  return Layer.merge(oneStopPerProcess, whenServing).pipe(
    Layer.provide(GracefulServer.drainOnShutdown),
    Layer.provide(Layer.provide(makeHttpLive(layerFromConfig, serverLive), metrics)),
    // One server for both: the layer is memoised within the launch.
    Layer.provide(graceful),
    Layer.launch,
    // Reached after SIGTERM/SIGINT once the server has drained and every layer's finalizer has run.
    Effect.onInterrupt(() => Effect.logInfo("docport stopped"))
  )
}

/** The one server of this process, until SIGTERM or SIGINT. */
export const single = Effect.flatMap(WarmupConfig, (warmup) => serve(GracefulServer.layer, warmup))

// Built after the whole application: by then the server listens and the routes answer.
const tellPrimary = Layer.effectDiscard(Effect.sync(() => process.send?.(WORKER_READY)))

/**
 * One worker of a cluster: the same server on the port the primary shares, its log lines
 * annotated with its slot and its answers with its pid, so a request can be traced to a process;
 * its /metrics answers for every worker (WorkerMetrics.ts).
 */
export const worker = (slot: number) =>
  Effect.flatMap(WarmupConfig, (warmup) => serve(GracefulServer.layerWith({ workerPid: process.pid }), warmup, tellPrimary, workerMetricsLayer(slot))).pipe(
    Effect.annotateLogs("worker", String(slot))
  )
