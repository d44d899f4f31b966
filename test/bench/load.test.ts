import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { runLoad, runTogether } from "../../bench/http/load.js"
import { type Agents, newAgents, seedAgents } from "../../bench/http/scenarios.js"
import { bareHttpApi, staleIds } from "../support/bareHttpApi.js"

// autocannon stops with a request in flight on every connection; a PUT among them that the server
// carried out leaves the bench a revision behind unless it reads them again (scenarios.ts).
describe("the bench's autocannon runs (bench/http/load.ts)", () => {
  it.live("leave the bench with every agent's current revision after a run of PUTs", () =>
    Effect.scoped(Effect.gen(function*() {
      const url = yield* bareHttpApi
      const agents = newAgents()
      yield* seedAgents(url, agents, 200)
      const result = yield* runLoad(url, { scenario: "put", agents }, { connections: 8, durationS: 1 })
      expect(result.errors).toBe(0)
      expect(result.statuses["200"]).toBeGreaterThan(100)
      expect(yield* staleIds(url, agents)).toEqual([])
    })), 30_000)

  it.live("and between the slices of a run shared with another server", () =>
    Effect.scoped(Effect.gen(function*() {
      const [one, two] = [yield* bareHttpApi, yield* bareHttpApi]
      const [a, b] = [newAgents(), newAgents()]
      yield* seedAgents(one, a, 200)
      yield* seedAgents(two, b, 200)
      const target = (url: string, agents: Agents) => ({ url, load: { scenario: "put" as const, agents }, serverPid: process.pid })
      const results = yield* runTogether([target(one, a), target(two, b)], { connections: 8, durationS: 2, sliceS: 1 })
      expect(results.map((r) => r.turnCpuUsPerRequest.length)).toEqual([2, 2])
      expect(results.map((r) => r.errors)).toEqual([0, 0])
      expect(yield* staleIds(one, a)).toEqual([])
      expect(yield* staleIds(two, b)).toEqual([])
    })), 30_000)

  it.live("count the 404s of absent agents as that scenario's answers, not as errors", () =>
    Effect.scoped(Effect.gen(function*() {
      const url = yield* bareHttpApi
      const result = yield* runLoad(url, { scenario: "missing", agents: newAgents() }, { connections: 4, durationS: 0.5 })
      expect(result.requests).toBeGreaterThan(50)
      expect(result.statuses).toEqual({ "404": result.requests })
      expect(result.errors).toBe(0)
      // The same answers in the scenario of agents that exist are errors.
      const got = yield* runLoad(url, { scenario: "get", agents: { ids: ["missing-1"], revs: new Map() } }, { connections: 4, durationS: 0.5 })
      expect(got.errors).toBe(got.requests)
    })), 30_000)
})
