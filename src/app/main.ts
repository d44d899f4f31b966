// Deep imports: the package index would also load cluster, RPC, SQL and WebSocket modules docport never uses.
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Console, Duration, Effect, Layer } from "effect"
import { isConfigError } from "effect/ConfigError"
import { layerFromConfig } from "../adapters/DatabaseLayer.js"
import * as GracefulServer from "./GracefulServer.js"
import { describeCause } from "./http/describeCause.js"
import { makeHttpLive } from "./HttpLive.js"
import { ObservabilityLive } from "./observability/ObservabilityLive.js"
import { ServerConfig } from "./ServerConfig.js"

const ServerLive = Layer.unwrapEffect(
  Effect.map(GracefulServer.GracefulServer, ({ server }) => NodeHttpServer.layerConfig(() => server, ServerConfig))
).pipe(Layer.provide(GracefulServer.layer))

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

const program = oneStopPerProcess.pipe(
  Layer.provide(GracefulServer.drainOnShutdown),
  Layer.provide(makeHttpLive(layerFromConfig, ServerLive)),
  // One server for both: the layer is memoised within the launch.
  Layer.provide(GracefulServer.layer),
  Layer.launch,
  Effect.provide(ObservabilityLive),
  // Reached after SIGTERM/SIGINT once the server has drained and every layer's finalizer has run.
  Effect.onInterrupt(() => Effect.logInfo("docport stopped")),
  // One readable line on stderr instead of a stack trace: start-up fails on configuration or an unreachable backend.
  Effect.tapError((error) =>
    Console.error(
      `docport could not start: ${
        isConfigError(error)
          ? String(error)
          // The platform's ServeError (port taken, say) has no message of its own, only a cause.
          : error.message || describeCause("cause" in error ? error.cause : undefined) || error._tag
      }`
    )
  )
)

NodeRuntime.runMain(program, { disableErrorReporting: true, disablePrettyLogger: true })
