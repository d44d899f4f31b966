import * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { describe, expect, it } from "@effect/vitest"
import * as HttpRouter from "@effect/platform/HttpRouter"
import { Context, Effect, FiberRef, type FiberRefs, Layer, Logger, LogLevel, Schema } from "effect"
import { createServer } from "node:http"
import { groupInLeanContext, serveInLeanContext } from "../../src/app/http/LeanContext.js"

class Unrelated extends Context.Tag("test/Unrelated")<Unrelated, string>() {}
class Needed extends Context.Tag("test/Needed")<Needed, string>() {}

const keysOf = (context: Context.Context<never>) => [...context.unsafeMap.keys()].sort()

const onLoopback = NodeHttpServer.layer(createServer, { host: "127.0.0.1", port: 0 })

/** Builds `layer`, then GETs `path` from the server it started; the JSON answer. */
const fetchFrom = <E>(layer: Layer.Layer<HttpServer.HttpServer, E>, path: string) =>
  Effect.gen(function*() {
    const built = yield* Layer.build(layer)
    const address = Context.get(built, HttpServer.HttpServer).address
    if (address._tag !== "TcpAddress") throw new Error("expected a TCP address")
    return yield* Effect.promise(() => fetch(`http://127.0.0.1:${address.port}${path}`).then((r) => r.json() as Promise<unknown>))
  })

class KeysApi extends HttpApi.make("keys").add(
  HttpApiGroup.make("keys").add(HttpApiEndpoint.get("keys", "/keys").addSuccess(Schema.Struct({ keys: Schema.Array(Schema.String), needed: Schema.String })))
) {}

// The handler reads Needed at request time, as docport's handlers read their services.
const KeysGroup = HttpApiBuilder.group(KeysApi, "keys", (handlers) =>
  handlers.handle("keys", () => Effect.zipWith(Effect.context<never>(), Needed, (context, needed) => ({ keys: keysOf(context), needed }))))

const services = Layer.merge(Layer.succeed(Unrelated, "built from, not needed by a request"), Layer.succeed(Needed, "needed"))

describe("lean request contexts", () => {
  it.scoped("serveInLeanContext starts each request in the server's own services, not in every service the application was built from", () =>
    Effect.gen(function*() {
      const app = Effect.map(Effect.context<never>(), (context) => HttpServerResponse.unsafeJson(keysOf(context)))
      const keys = (yield* fetchFrom(serveInLeanContext(app).pipe(Layer.provideMerge(onLoopback), Layer.provide(services)), "/")) as Array<string>
      expect(keys).not.toContain("test/Unrelated")
      expect(keys).toEqual(expect.arrayContaining(["@effect/platform/HttpServer", "@effect/platform/HttpServerRequest"]))
    }))

  it.scoped("groupInLeanContext: the group's routes are served, and its handlers see the services it names, not the others", () =>
    Effect.gen(function*() {
      const api = HttpApiBuilder.api(KeysApi).pipe(Layer.provide(KeysGroup.pipe(groupInLeanContext(Needed))))
      // Served as docport serves its API: the requests' own context is lean too.
      const served = HttpApiBuilder.httpApp.pipe(
        Effect.map(serveInLeanContext),
        Layer.unwrapEffect,
        Layer.provide([HttpApiBuilder.Router.Live, HttpApiBuilder.Middleware.layer])
      )
      const answer = (yield* fetchFrom(
        served.pipe(Layer.provide(api), Layer.provideMerge(onLoopback), Layer.provide(services)),
        "/keys"
      )) as { keys: Array<string>; needed: string }
      expect(answer.needed).toBe("needed")
      expect(answer.keys).toContain("test/Needed")
      expect(answer.keys).not.toContain("test/Unrelated")
    }))

  it.scoped("serveInLeanContext starts requests with one value per FiberRef, as the server has them, and none the router's build read", () =>
    Effect.gen(function*() {
      // A request's fiber holds the server's value of each FiberRef and, on top, its own.
      const app = Effect.withFiberRuntime<HttpServerResponse.HttpServerResponse>((fiber) => {
        const locals = (fiber.getFiberRefs() as FiberRefs.FiberRefs & { locals: Map<unknown, ReadonlyArray<unknown>> }).locals
        return Effect.succeed(HttpServerResponse.unsafeJson({
          deepest: Math.max(...Array.from(locals.values(), (stack) => stack.length)),
          routerConfig: locals.has(HttpRouter.currentRouterConfig),
          level: fiber.getFiberRef(FiberRef.currentMinimumLogLevel).label
        }))
      })
      // Built as docport builds it: FiberRefs set by layers in the fibers that build them.
      const server = serveInLeanContext(app).pipe(
        Layer.provideMerge(onLoopback),
        Layer.provide(Layer.mergeAll(services, HttpRouter.setRouterConfig({ caseSensitive: true }), Logger.minimumLogLevel(LogLevel.Warning)))
      )
      const seen = yield* fetchFrom(server, "/")
      // Without the lean start: 3 values deep, and the router's config there.
      expect(seen).toEqual({ deepest: 2, routerConfig: false, level: "WARN" })
    }))
})
