import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { createServer } from "node:http"
import { newAgents, seedAgents } from "../../bench/http/scenarios.js"
import { runWrkScenario, wrkVersion } from "../../bench/http/wrkLoad.js"
import { bareHttpApi, bareHttpApiOn, staleIds } from "../support/bareHttpApi.js"

// The bench judges tails on wrk's runs where wrk is installed (a system package, which `npm ci`
// cannot bring): these run where it is, and are skipped, saying so, where it is not.
describe.skipIf(wrkVersion() === undefined)("a scenario under wrk (bench/http/wrkLoad.ts, bench/wrk/scenario.lua)", () => {
  it.live("sends conditional PUTs that succeed, and leaves the bench with every agent's current revision", () =>
    Effect.scoped(Effect.gen(function*() {
      const url = yield* bareHttpApi
      const agents = newAgents()
      yield* seedAgents(url, agents, 200)
      const seeded = new Map(agents.revs)
      const result = yield* runWrkScenario(url, { scenario: "put", agents }, { connections: 8, durationS: 1 })
      expect(result.errors).toBe(0)
      expect(result.requests).toBeGreaterThan(100)
      // Only the connections racing for one agent lose: most writes carry the current revision.
      expect(result.statuses["200"]).toBeGreaterThan(result.conflicts * 4)
      expect(result.p50).toBeGreaterThan(0)
      expect(result.p99).toBeGreaterThanOrEqual(result.p50)
      const changed = agents.ids.filter((id) => agents.revs.get(id) !== seeded.get(id))
      expect(changed.length).toBeGreaterThan(50)
      // wrk stops with up to one request per connection in flight, its answer unread: the bench
      // reads the revisions again, or those agents would answer every later PUT with a 409.
      expect(yield* staleIds(url, agents)).toEqual([])
    })), 30_000)

  it.live("creates agents with the bench's body under POST", () =>
    Effect.scoped(Effect.gen(function*() {
      const url = yield* bareHttpApi
      const list = Effect.promise(() => fetch(`${url}/agents`).then((r) => r.json() as Promise<Array<{ name: string }>>))
      // The bare HttpApi's Map belongs to its module: agents of the test before may be in it.
      const before = (yield* list).length
      const result = yield* runWrkScenario(url, { scenario: "post", agents: newAgents() }, { connections: 4, durationS: 1 })
      expect(result.errors).toBe(0)
      expect(result.statuses).toEqual({ "201": result.requests })
      const listed = yield* list
      // wrk stops with up to one request per connection in flight, unanswered and uncounted.
      expect(listed.length - before).toBeGreaterThanOrEqual(result.requests)
      expect(listed.length - before).toBeLessThanOrEqual(result.requests + 4)
      expect(listed.at(-1)!.name).toBe("Agent 0")
    })), 30_000)

  it.live("asks for agents that do not exist under the scenario of absent agents, its 404s no error", () =>
    Effect.scoped(Effect.gen(function*() {
      const url = yield* bareHttpApi
      const result = yield* runWrkScenario(url, { scenario: "missing", agents: newAgents() }, { connections: 4, durationS: 1 })
      expect(result.requests).toBeGreaterThan(50)
      expect(result.statuses).toEqual({ "404": result.requests })
      expect(result.errors).toBe(0)
    })), 30_000)

  it.live("opens every connection before the first request, and leaves the opening out of the run's duration", () =>
    Effect.scoped(Effect.gen(function*() {
      // What the server saw, in order: "c" for a connection accepted, "r" for a request.
      const events: Array<string> = []
      const url = yield* bareHttpApiOn(() =>
        createServer().on("connection", () => events.push("c")).on("request", () => events.push("r"))
      )
      yield* seedAgents(url, newAgents(), 10)
      events.length = 0
      const result = yield* runWrkScenario(url, { scenario: "list", agents: newAgents() }, { connections: 8, durationS: 1 })
      expect(result.errors).toBe(0)
      // The first connection is wrk's check that the address answers, closed at once; then its 8.
      expect(events.indexOf("r")).toBe(9)
      // wrk ran for 1 s, of which the first 200 ms sent nothing.
      expect(result.durationS).toBeGreaterThan(0.7)
      expect(result.durationS).toBeLessThan(0.95)
    })), 30_000)
})
