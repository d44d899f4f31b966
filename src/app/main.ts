import { HttpServer } from "@effect/platform"
import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { createServer } from "node:http"
import { layerFromConfig } from "../adapters/DatabaseLayer.js"
import { makeHttpLive } from "./HttpLive.js"
import { ServerConfig } from "./ServerConfig.js"

const ServerLive = NodeHttpServer.layerConfig(createServer, ServerConfig)

const program = makeHttpLive(layerFromConfig).pipe(
  HttpServer.withLogAddress,
  Layer.provide(ServerLive),
  Layer.launch,
  // One readable line instead of a stack trace: start-up fails on configuration or an unreachable backend.
  Effect.tapError((error) => Effect.logError(`docport could not start: ${error.message}`))
)

NodeRuntime.runMain(program, { disableErrorReporting: true })
