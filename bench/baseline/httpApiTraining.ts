/**
 * The bare HttpApi trained as docport trains itself before its port opens (src/app/warmup): the
 * same budget (2 s or 3,000 requests, 8 at a time), the same loopback client in a worker thread,
 * on a private instance of the same routes, over the agent routes of docport's warm-up round that
 * the bare HttpApi serves (create, read, update, a stale update, list, health, an unknown agent, an
 * invalid body, delete). docport's warm-up also trains its deployment and data-store routes, which
 * the bare HttpApi does not have: what training on them costs stays docport's own.
 */
import type * as HttpRouter from "@effect/platform/HttpRouter"
import type * as HttpServer from "@effect/platform/HttpServer"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { Clock, Effect, Layer, Option, Ref } from "effect"
import { createServer } from "node:http"
import { loopbackClient, type Send } from "../../src/app/warmup/LoopbackClient.js"
import { portOf } from "../../src/app/warmup/serverPort.js"
import { agentBody } from "../../src/app/warmup/WarmupRound.js"

const BUDGET_MS = 2_000
const MAX_REQUESTS = 3_000
const CONCURRENCY = 8

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

/** Rounds against a private instance of `app` until the budget or the request count is spent; its lines go nowhere. */
export const train = (app: Layer.Layer<never, never, HttpServer.HttpServer | HttpRouter.HttpRouter.DefaultServices>) =>
  Effect.scoped(Effect.gen(function*() {
    const deadline = (yield* Clock.currentTimeMillis) + BUDGET_MS
    const server = yield* Layer.build(Layer.provideMerge(app, NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" })))
    const send = yield* loopbackClient(portOf(server), CONCURRENCY)
    const sent = yield* Ref.make(0)
    const started = yield* Ref.make(0)
    const more = Effect.zipWith(Clock.currentTimeMillis, Ref.get(sent), (now, n) => now < deadline && n < MAX_REQUESTS)
    const oneRound = Effect.flatMap(Ref.getAndUpdate(started, (n) => n + 1), (n) => round(send, String(n))).pipe(
      Effect.flatMap((n) => Ref.update(sent, (total) => total + n))
    )
    const rounds = oneRound.pipe(Effect.whenEffect(more), Effect.repeat({ while: Option.isSome }))
    yield* Effect.replicateEffect(rounds, CONCURRENCY, { concurrency: "unbounded", discard: true })
    return yield* Ref.get(sent)
  }))
