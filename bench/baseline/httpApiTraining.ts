/**
 * The bare HttpApi trained as docport trains itself before its port opens (src/app/warmup): the
 * same budget (DEFAULT_WARMUP: 2 s or 3,000 requests, 8 at a time), the same rounds
 * (driveRounds.ts) and loopback client in a worker thread, on a private instance of the same
 * routes, over the agent routes of docport's warm-up round that the bare HttpApi serves (create,
 * read, update, a stale update, list, health, an unknown agent, an invalid body, delete). docport's
 * warm-up also trains its deployment and data-store routes, which the bare HttpApi does not have:
 * what training on them costs stays docport's own.
 */
import type * as HttpRouter from "@effect/platform/HttpRouter"
import type * as HttpServer from "@effect/platform/HttpServer"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { Clock, Duration, Effect, Layer } from "effect"
import { createServer } from "node:http"
import { driveRounds } from "../../src/app/warmup/driveRounds.js"
import { loopbackClient, type Send } from "../../src/app/warmup/LoopbackClient.js"
import { portOf } from "../../src/app/warmup/serverPort.js"
import { DEFAULT_WARMUP } from "../../src/app/warmup/WarmupConfig.js"
import { agentBody } from "../../src/app/warmup/WarmupRound.js"

const round = (send: Send, tag: string) =>
  Effect.gen(function*() {
    const created = yield* send("POST", "/agents", "POST /agents", 201, agentBody(tag))
    const { _id: id, _rev: firstRev } = created.body as { readonly _id: string; readonly _rev: string }
    const agent = `/agents/${encodeURIComponent(id)}`
    const requests = [
      send("GET", agent, "GET /agents/:id", 200),
      send("PUT", agent, "PUT /agents/:id", 200, { description: `updated by ${tag}` }),
      send("PUT", agent, "PUT /agents/:id (stale _rev)", 409, { description: "stale", _rev: firstRev }),
      send("GET", "/agents", "GET /agents", 200),
      send("GET", "/health", "GET /health", 200),
      send("GET", `/agents/missing-${tag}`, "GET /agents/:id (unknown)", 404),
      // The framework's own answer to a body its schema refuses.
      send("POST", "/agents", "POST /agents (invalid)", 400, { name: "" }),
      send("DELETE", agent, "DELETE /agents/:id", 204)
    ]
    for (const request of requests) yield* request
    return requests.length + 1
  })

/** Rounds against a private instance of `app` within the warm-up's default budget; its lines go nowhere. */
export const train = (app: Layer.Layer<never, never, HttpServer.HttpServer | HttpRouter.HttpRouter.DefaultServices>) =>
  Effect.scoped(Effect.gen(function*() {
    const deadline = (yield* Clock.currentTimeMillis) + Duration.toMillis(DEFAULT_WARMUP.budget)
    const server = yield* Layer.build(Layer.provideMerge(app, NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" })))
    const send = yield* loopbackClient(portOf(server), DEFAULT_WARMUP.concurrency)
    return yield* driveRounds((tag) => round(send, tag), deadline, DEFAULT_WARMUP)
  }))
