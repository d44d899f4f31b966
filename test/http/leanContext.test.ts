import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as HttpServer from "@effect/platform/HttpServer"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import { createServer } from "node:http"
import { serveInLeanContext } from "../../src/app/http/ServeInLeanContext.js"

class Unrelated extends Context.Tag("test/Unrelated")<Unrelated, string>() {}

// What a request's fiber finds in its context, by key.
const contextKeys = Effect.map(Effect.context<never>(), (context) => HttpServerResponse.unsafeJson([...context.unsafeMap.keys()].sort()))

describe("serveInLeanContext", () => {
  it.scoped("starts each request in the server's own services, not in every service the application was built from", () =>
    Effect.gen(function*() {
      const built = yield* Layer.build(
        serveInLeanContext(contextKeys).pipe(
          Layer.provideMerge(NodeHttpServer.layer(createServer, { host: "127.0.0.1", port: 0 })),
          Layer.provide(Layer.succeed(Unrelated, "built from, not needed by a request"))
        )
      )
      const address = Context.get(built, HttpServer.HttpServer).address
      if (address._tag !== "TcpAddress") throw new Error("expected a TCP address")
      const keys: Array<string> = yield* Effect.promise(() => fetch(`http://127.0.0.1:${address.port}/`).then((r) => r.json() as Promise<Array<string>>))
      expect(keys).not.toContain("test/Unrelated")
      // The server and the request's own services are there.
      expect(keys).toEqual(expect.arrayContaining(["@effect/platform/HttpServer", "@effect/platform/HttpServerRequest"]))
    }))
})
