import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect } from "effect"
import type { IncomingMessage, ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import * as GracefulServer from "../../src/app/GracefulServer.js"

// The server of GracefulServer, listening on a free port, before any application serves on it.
const listening = (options: GracefulServer.GracefulServerOptions) =>
  Effect.gen(function*() {
    const graceful = yield* Effect.provide(GracefulServer.GracefulServer, GracefulServer.layerWith(options))
    yield* Effect.acquireRelease(
      Effect.async<void>((resume) => {
        graceful.server.listen(0, "127.0.0.1", () => resume(Effect.void))
      }),
      () => Effect.sync(() => graceful.server.closeAllConnections()).pipe(Effect.zipRight(Effect.async<void>((resume) => {
        graceful.server.close(() => resume(Effect.void))
      })))
    )
    return { ...graceful, url: `http://127.0.0.1:${(graceful.server.address() as AddressInfo).port}` }
  })

const get = (url: string) =>
  Effect.promise(async () => {
    const response = await fetch(url)
    return { status: response.status, worker: response.headers.get("x-docport-worker"), text: await response.text() }
  })

// A request sent 300 ms before the application starts serving, and its answer.
const servedLate = (options: GracefulServer.GracefulServerOptions) =>
  Effect.gen(function*() {
    const { server, url } = yield* listening(options)
    const answer = yield* Effect.fork(get(`${url}/agents`))
    yield* Effect.sleep("300 millis")
    server.on("request", (_request, response) => response.end("served by the application"))
    return yield* answer.await.pipe(Effect.flatten)
  })

describe("GracefulServer while the application is not serving", () => {
  it.live("holds a request that arrives before the application serves and hands it over once it does, naming the worker", () =>
    Effect.scoped(Effect.gen(function*() {
      const { status, text, worker } = yield* servedLate({ workerPid: 4242 })
      expect(status).toBe(200)
      expect(text).toBe("served by the application")
      expect(worker).toBe("4242")
    })))

  it.live("answers a held request 503 when the worker stops before it ever served", () =>
    Effect.scoped(Effect.gen(function*() {
      const { drain, url } = yield* listening({ workerPid: 4242 })
      const answer = yield* Effect.fork(get(`${url}/agents`))
      yield* Effect.sleep("300 millis")
      yield* drain(Duration.seconds(1))
      const { status, text } = yield* answer.await.pipe(Effect.flatten)
      expect(status).toBe(503)
      expect(JSON.parse(text)).toMatchObject({ _tag: "Unavailable" })
    })))

  it.live("outside a cluster too, a request that finds the port open before the application serves is held for it, with no worker header", () =>
    Effect.scoped(Effect.gen(function*() {
      const { status, text, worker } = yield* servedLate({})
      expect(status).toBe(200)
      expect(text).toBe("served by the application")
      expect(worker).toBeNull()
    })))

  it.live("a held request the application never takes is answered 503 once the limit has passed", () =>
    Effect.scoped(Effect.gen(function*() {
      const { url } = yield* listening({ parkLimit: "200 millis" })
      const started = Date.now()
      const { status, text } = yield* get(`${url}/agents`).pipe(Effect.timeout("2 seconds"))
      expect(status).toBe(503)
      expect(JSON.parse(text)).toMatchObject({ _tag: "Unavailable" })
      expect(Date.now() - started).toBeGreaterThanOrEqual(190)
    })))

  it.live("once the application stops serving, a request on an open connection is answered 503, not left hanging", () =>
    Effect.scoped(Effect.gen(function*() {
      const { server, url } = yield* listening({})
      const application = (_request: IncomingMessage, response: ServerResponse) => void response.end("served by the application")
      server.on("request", application)
      expect(yield* get(`${url}/agents`)).toMatchObject({ status: 200, text: "served by the application" })
      server.off("request", application)
      const { status, text } = yield* get(`${url}/agents`).pipe(Effect.timeout("2 seconds"))
      expect(status).toBe(503)
      expect(JSON.parse(text)).toMatchObject({ _tag: "Unavailable" })
    })))
})
