import { expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Schedule, type Scope } from "effect"
import { type ChildServer, stopChildServer } from "../support/ChildServer.js"
import { BaseUrl, testServer } from "../support/TestServer.js"
import type { DatabaseService } from "../../src/ports/DatabaseService.js"

/** DATABASE_TIMEOUT's default, the bound an outage answer must keep; the margin is for a loaded machine. */
const BOUND_MS = 2_000
const MARGIN_MS = 3_000

export interface Backend {
  readonly server: ChildServer
  /** Starts the backend again where it was (same port), e.g. after `server` was stopped. */
  readonly restart: Effect.Effect<unknown, Error, Scope.Scope>
  /** The adapter with its default timeouts, as DATABASE_PROVIDER would build it. */
  readonly layer: Layer.Layer<DatabaseService, unknown>
}

const signal = (server: ChildServer, name: NodeJS.Signals) =>
  Effect.sync(() => {
    if (server.process.exitCode === null && server.process.signalCode === null) process.kill(-server.process.pid!, name)
  })

const timedStatus = (base: string, method: string, path: string) =>
  Effect.promise(async () => {
    const started = Date.now()
    const response = await fetch(`${base}${path}`, {
      method,
      ...(method === "POST" ? { headers: { "content-type": "application/json" }, body: '{"name":"n","description":"d","code":"c"}' } : {})
    })
    await response.arrayBuffer()
    return { status: response.status, ms: Date.now() - started }
  })

const expectUnavailableInTime = (base: string) =>
  Effect.forEach([["GET", "/agents/x"], ["GET", "/agents"], ["POST", "/agents"]] as const, ([method, path]) =>
    Effect.map(timedStatus(base, method, path), ({ ms, status }) => {
      expect({ method, path, status }).toEqual({ method, path, status: 503 })
      expect(ms).toBeLessThan(BOUND_MS + MARGIN_MS)
    }), { concurrency: "unbounded", discard: true })

const recovers = (base: string) =>
  timedStatus(base, "GET", "/agents/x").pipe(
    Effect.filterOrFail(({ status }) => status === 404, ({ status }) => `still ${status}`),
    Effect.retry(Schedule.intersect(Schedule.spaced("250 millis"), Schedule.recurs(120)))
  )

/**
 * The HTTP edge over a backend that hangs (SIGSTOP: connections are accepted, nothing answers)
 * and one that dies: every backend answers 503 within DATABASE_TIMEOUT, and recovers by itself.
 */
export const httpOutage = (name: string, start: Effect.Effect<Backend, Error, Scope.Scope>) => {
  it.live(`${name}: a hung backend answers 503 within ${BOUND_MS / 1000} s, and the service recovers when it answers again`, () =>
    Effect.gen(function*() {
      const backend = yield* start
      const base = Context.get(yield* Layer.build(testServer(backend.layer)), BaseUrl)
      yield* recovers(base)
      yield* Effect.acquireUseRelease(signal(backend.server, "SIGSTOP"), () => expectUnavailableInTime(base), () => signal(backend.server, "SIGCONT"))
      yield* recovers(base)
    }).pipe(Effect.scoped), 120_000)

  it.live(`${name}: a dead backend answers 503 within ${BOUND_MS / 1000} s, and the service recovers once it is back`, () =>
    Effect.gen(function*() {
      const backend = yield* start
      const base = Context.get(yield* Layer.build(testServer(backend.layer)), BaseUrl)
      yield* recovers(base)
      yield* stopChildServer(backend.server)
      yield* expectUnavailableInTime(base)
      yield* backend.restart
      yield* recovers(base)
    }).pipe(Effect.scoped), 120_000)
}
