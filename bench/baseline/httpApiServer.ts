/**
 * The bare HttpApi of httpApi.ts as a server of its own: PORT and HOST as for docport;
 * BASELINE_SIGN_IN=on serves its variant with docport's sign-in middleware declared;
 * BASELINE_WARMUP=on trains it before its port opens as docport trains itself (httpApiTraining.ts).
 */
// First, as docport's entry point does: compared under the same runtime settings.
import "../../src/app/runtime/oneCpuGc.js"
import * as HttpServer from "@effect/platform/HttpServer"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Config, Effect, Layer } from "effect"
import { createServer } from "node:http"
import { BareHttpApiLive, SecuredHttpApiLive } from "./httpApi.js"
import { train } from "./httpApiTraining.js"

const ServerLive = Layer.unwrapEffect(
  Effect.map(
    Config.all({ port: Config.port("PORT").pipe(Config.withDefault(8083)), host: Config.string("HOST").pipe(Config.withDefault("127.0.0.1")) }),
    (address) => NodeHttpServer.layer(createServer, address)
  )
)

const app = process.env.BASELINE_SIGN_IN === "on" ? SecuredHttpApiLive : BareHttpApiLive
const training = process.env.BASELINE_WARMUP === "on"
  ? Effect.flatMap(train(app), (requests) => Effect.logInfo(`trained with ${requests} requests`))
  : Effect.void

NodeRuntime.runMain(Effect.zipRight(training, Layer.launch(app.pipe(HttpServer.withLogAddress, Layer.provide(ServerLive)))))
