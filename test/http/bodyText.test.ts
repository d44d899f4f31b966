import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import { createServer } from "node:http"
import { withText } from "../../src/app/http/JsonBody.js"

const given = "{\"name\":\"read once\",\"n\":1}"

/** What `withText` makes of a request: whether it is the request itself, and what its `json` and `text` answer. */
const report = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.gen(function*() {
    const read = withText(request, given)
    return { same: read === request, json: yield* read.json, text: yield* read.text }
  })

describe("a request whose body docport has read", () => {
  it.scoped("on the platform's Node server it is the request itself, answering `json` and `text` from what was read", () =>
    Effect.gen(function*() {
      // The client sends no body: only what withText was given can come out of `json`.
      const app = Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => Effect.map(report(request), (r) => HttpServerResponse.unsafeJson(r)))
      const built = yield* Layer.build(HttpServer.serve(app).pipe(Layer.provideMerge(NodeHttpServer.layer(createServer, { host: "127.0.0.1", port: 0 }))))
      const address = Context.get(built, HttpServer.HttpServer).address
      if (address._tag !== "TcpAddress") throw new Error("expected a TCP address")
      const answer = yield* Effect.promise(() => fetch(`http://127.0.0.1:${address.port}/`, { method: "POST" }).then((r) => r.json()))
      expect(answer).toEqual({ same: true, json: { name: "read once", n: 1 }, text: given })
    }))

  it.effect("a request of another kind is wrapped instead, and answers the same", () =>
    Effect.gen(function*() {
      const web = HttpServerRequest.fromWeb(new Request("http://127.0.0.1/", { method: "POST", body: "{\"other\":true}" }))
      // A request with no cache of its own: what another platform's might be.
      const foreign: HttpServerRequest.HttpServerRequest = Object.create(web)
      const r = yield* report(foreign)
      expect(r).toEqual({ same: false, json: { name: "read once", n: 1 }, text: given })
    }))
})
