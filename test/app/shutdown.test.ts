import { describe, expect, it } from "@effect/vitest"
import { Context, Deferred, Effect, Exit, Fiber, Layer, Scope } from "effect"
import * as MemoryDatabase from "../../src/adapters/MemoryDatabase.js"
import { DatabaseService } from "../../src/ports/DatabaseService.js"
import { BaseUrl, testServer } from "../support/TestServer.js"

describe("graceful shutdown", () => {
  it.live("closing the app's scope lets an in-flight request finish, then runs the database finalizer", () =>
    Effect.gen(function*() {
      const requestStarted = yield* Deferred.make<void>()
      const events: Array<string> = []
      // The memory backend, made slow and given a finalizer, to observe the shutdown order.
      const slowDatabase = Layer.scoped(
        DatabaseService,
        Effect.gen(function*() {
          const memory = yield* MemoryDatabase.make
          yield* Effect.addFinalizer(() => Effect.sync(() => events.push("database closed")))
          return {
            ...memory,
            // GET /agents reads the port's pages.
            pages: (collection: string) =>
              Deferred.succeed(requestStarted, undefined).pipe(
                Effect.zipRight(Effect.sleep("300 millis")),
                Effect.zipRight(memory.pages(collection)),
                Effect.ensuring(Effect.sync(() => events.push("request answered")))
              )
          }
        })
      )
      const scope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(testServer(slowDatabase), scope)
      const url = Context.get(context, BaseUrl)
      const inFlight = yield* Effect.fork(Effect.promise(() => fetch(`${url}/agents`).then(async (r) => [r.status, await r.json()] as const)))
      yield* Deferred.await(requestStarted)
      yield* Scope.close(scope, Exit.void)
      events.push("scope closed")
      const [status, body] = yield* Fiber.join(inFlight)
      expect(status).toBe(200)
      expect(body).toEqual([])
      expect(events).toEqual(["request answered", "database closed", "scope closed"])
      const after = yield* Effect.either(Effect.tryPromise(() => fetch(`${url}/health`)))
      expect(after._tag).toBe("Left")
    }), 30_000)
})
