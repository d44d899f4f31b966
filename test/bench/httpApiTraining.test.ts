import * as HttpServer from "@effect/platform/HttpServer"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import { createServer } from "node:http"
import { BareHttpApiLive } from "../../bench/baseline/httpApi.js"
import { train } from "../../bench/baseline/httpApiTraining.js"

// The bench's trained baseline is only a fair contestant if its training really ran the agent
// routes (a round that got an answer it did not expect fails the training) and left its Map as
// the bench's seeding expects it: empty.
describe("the bare HttpApi's training (bench/baseline/httpApiTraining.ts)", () => {
  it.live("runs whole rounds of the agent routes with the answers they give, and leaves no agent behind", () =>
    Effect.gen(function*() {
      const requests = yield* train(BareHttpApiLive)
      // Nine requests a round, eight rounds at once: more than one round each in 2 s.
      expect(requests % 9).toBe(0)
      expect(requests).toBeGreaterThan(9 * 8)
      const listed = yield* Effect.scoped(Effect.gen(function*() {
        const server = yield* Layer.build(Layer.provideMerge(BareHttpApiLive, NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" })))
        const address = Context.get(server, HttpServer.HttpServer).address
        const port = address._tag === "TcpAddress" ? address.port : 0
        return yield* Effect.promise(() => fetch(`http://127.0.0.1:${port}/agents`).then((response) => response.json()))
      }))
      expect(listed).toEqual([])
    }), 20_000)
})
