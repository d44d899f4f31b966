/** The bare HttpApi of httpApi.ts as a server of its own: PORT and HOST as for docport. */
import * as HttpServer from "@effect/platform/HttpServer"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Config, Effect, Layer } from "effect"
import { createServer } from "node:http"
import { BareHttpApiLive } from "./httpApi.js"

const ServerLive = Layer.unwrapEffect(
  Effect.map(
    Config.all({ port: Config.port("PORT").pipe(Config.withDefault(8083)), host: Config.string("HOST").pipe(Config.withDefault("127.0.0.1")) }),
    (address) => NodeHttpServer.layer(createServer, address)
  )
)

NodeRuntime.runMain(Layer.launch(
  BareHttpApiLive.pipe(HttpServer.withLogAddress, Layer.provide(ServerLive))
))
