/**
 * The same agent routes (agents.ts) on bare @effect/platform: NodeHttpServer and HttpRouter as
 * docport uses them, without HttpApi, schemas, domain or database port. What this costs over the
 * node:http baseline is the floor any docport built on this stack pays. PORT and HOST as for docport.
 */
// First, as docport's entry point does: compared under the same runtime settings.
import "../../src/app/runtime/oneCpuGc.js"
import { HttpRouter, HttpServer, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { Config, Effect, Layer } from "effect"
import { createServer } from "node:http"
import { makeAgents, type Reply } from "./agents.js"

const agents = makeAgents()

const respond = ({ body, status }: Reply) =>
  body === undefined ? HttpServerResponse.empty({ status }) : HttpServerResponse.unsafeJson(body, { status })

const id = Effect.map(HttpRouter.params, (params) => params.id ?? "")

const withBody = (then: (body: unknown) => Reply) =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => request.json).pipe(
    Effect.map((body) => respond(then(body))),
    Effect.catchAll(() => Effect.succeed(respond(agents.badJson())))
  )

const router = HttpRouter.empty.pipe(
  HttpRouter.get("/health", Effect.sync(() => respond(agents.health()))),
  HttpRouter.get("/agents", Effect.sync(() => respond(agents.list()))),
  HttpRouter.post("/agents", withBody(agents.create)),
  HttpRouter.get("/agents/:id", Effect.map(id, (id) => respond(agents.get(id)))),
  HttpRouter.put("/agents/:id", Effect.flatMap(id, (id) => withBody((body) => agents.update(id, body)))),
  HttpRouter.del("/agents/:id", Effect.map(id, (id) => respond(agents.remove(id))))
)

const server = Layer.unwrapEffect(
  Effect.map(
    Config.all({ port: Config.port("PORT").pipe(Config.withDefault(8082)), host: Config.string("HOST").pipe(Config.withDefault("127.0.0.1")) }),
    (address) => NodeHttpServer.layer(createServer, address)
  )
)

NodeRuntime.runMain(Layer.launch(HttpServer.serve(router).pipe(HttpServer.withLogAddress, Layer.provide(server))))
