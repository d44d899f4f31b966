/**
 * The bare HttpApi of httpApi.ts as a server of its own: PORT and HOST as for docport;
 * BASELINE_SIGN_IN=on serves its variant with docport's sign-in middleware declared.
 */
import * as HttpServer from "@effect/platform/HttpServer"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Config, Effect, Layer } from "effect"
import { createServer } from "node:http"
import { BareHttpApiLive, SecuredHttpApiLive } from "./httpApi.js"

const ServerLive = Layer.unwrapEffect(
  Effect.map(
    Config.all({ port: Config.port("PORT").pipe(Config.withDefault(8083)), host: Config.string("HOST").pipe(Config.withDefault("127.0.0.1")) }),
    (address) => NodeHttpServer.layer(createServer, address)
  )
)

NodeRuntime.runMain(Layer.launch(
  (process.env.BASELINE_SIGN_IN === "on" ? SecuredHttpApiLive : BareHttpApiLive).pipe(HttpServer.withLogAddress, Layer.provide(ServerLive))
))
