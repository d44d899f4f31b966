import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { isConfigError } from "effect/ConfigError"
import { createServer } from "node:http"
import { layerFromConfig } from "../adapters/DatabaseLayer.js"
import { makeHttpLive } from "./HttpLive.js"
import { ObservabilityLive } from "./observability/ObservabilityLive.js"
import { ServerConfig } from "./ServerConfig.js"

const program = makeHttpLive(layerFromConfig, NodeHttpServer.layerConfig(createServer, ServerConfig)).pipe(
  Layer.launch,
  Effect.provide(ObservabilityLive),
  // Reached after SIGTERM/SIGINT once the server has drained and every layer's finalizer has run.
  Effect.onInterrupt(() => Effect.logInfo("docport stopped")),
  // One readable line instead of a stack trace: start-up fails on configuration or an unreachable backend.
  Effect.tapError((error) =>
    Effect.logError(`docport could not start: ${isConfigError(error) ? String(error) : error.message}`)
  )
)

NodeRuntime.runMain(program, { disableErrorReporting: true, disablePrettyLogger: true })
