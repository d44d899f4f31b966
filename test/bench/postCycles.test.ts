import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import type { Contestant } from "../../bench/http/contestants.js"
import { runLoad } from "../../bench/http/load.js"
import { type CycleRun, postOverCycles } from "../../bench/http/postCycles.js"
import { newAgents } from "../../bench/http/scenarios.js"
import { postCyclesTable } from "../../bench/report/postCyclesTable.js"
import { startHttpApiBaseline } from "../../bench/support/processes.js"

// A process's state as the kernel has it: "T" while it is stopped.
const state = (pid: number) => readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")[0]!

// Two real server processes (the bench's bare HttpApi; the one named docport is renamed only, so
// it has no /metrics and no collections are counted), and a third the bench must stop as well.
const servers = Effect.gen(function*() {
  const named = (name: string) => Effect.map(startHttpApiBaseline(), (target): Contestant => ({ target: { ...target, name }, backend: "map", agents: newAgents() }))
  return [yield* named("docport"), yield* named("httpapi"), yield* named("httpapi-trained")] as const
})

describe("POST over a span of full collections (bench/http/postCycles.ts)", () => {
  it.live("runs POST for the span on docport and the bare HttpApi in turn, every other server stopped meanwhile, docport first in the rounds it starts first", () =>
    Effect.scoped(Effect.gen(function*() {
      const all = yield* servers
      const [docport, httpapi, trained] = all
      // What each run saw: its server's state and every other server's as it began.
      const seen: Array<{ url: string; states: Array<string> }> = []
      // A signal is delivered when the kernel next schedules the process: the states are read
      // again for up to half a second until every other server has stopped.
      const states = (url: string) =>
        Effect.gen(function*() {
          for (let tries = 0; ; tries++) {
            const now = all.map((c) => state(c.target.pid))
            if (tries === 50 || now.every((st, i) => (all[i]!.target.url === url) !== (st === "T"))) return now
            yield* Effect.sleep("10 millis")
          }
        })
      const run: Parameters<typeof postOverCycles>[3] = (url, load, options) =>
        Effect.flatMap(states(url), (now) => {
          seen.push({ url, states: now })
          return runLoad(url, load, options)
        })
      const settings = { connections: 4, durationS: 6, spanS: 1 }
      const odd = yield* postOverCycles([docport, httpapi], all, { number: 1, docportFirst: true }, run, settings)
      const even = yield* postOverCycles([docport, httpapi], all, { number: 2, docportFirst: false }, run, settings)
      expect(odd.map((r) => r.target)).toEqual(["docport", "httpapi"])
      expect(even.map((r) => r.target)).toEqual(["httpapi", "docport"])
      expect(seen.map((s) => s.url)).toEqual([docport, httpapi, httpapi, docport].map((c) => c.target.url))
      for (const s of seen) {
        expect(s.states).toEqual(all.map((c) => (c.target.url === s.url ? expect.not.stringMatching(/^T$/) : "T")))
      }
      // Continued once the runs are over.
      expect(all.map((c) => state(c.target.pid))).not.toContain("T")
      for (const r of [...odd, ...even]) {
        expect(r.result.durationS).toBeGreaterThanOrEqual(1)
        expect(r.result.durationS).toBeLessThan(3)
        expect(r.result.statuses).toEqual({ "201": r.result.requests })
        expect(r.result.p999).toBeGreaterThanOrEqual(r.result.p99)
        // Neither process answers /metrics, so neither has collections counted.
        expect(r.fullGcs).toBeUndefined()
      }
      expect(trained.agents.ids).toEqual([])
    })), 90_000)

  it("the report gives each run's tail and docport's collections, judging docport's alone", () => {
    const run = (target: string, round: number, p99: number, fullGcs?: { count: number; pauseMs: number }): CycleRun => ({
      target,
      round,
      fullGcs,
      result: { requests: 300_000, durationS: 60, rps: 5000, p50: 5, p99, p999: 30, errors: 0, conflicts: 0, statuses: {}, cpuUsPerRequest: 160, cpuShare: 1, turnCpuUsPerRequest: [] }
    })
    const table = postCyclesTable([run("httpapi", 1, 20), run("docport", 1, 12, { count: 3, pauseMs: 61.4 }), run("docport", 2, 16, { count: 2, pauseMs: 40 })])!
    const rows = table.split("\n").slice(2)
    expect(rows).toEqual([
      "| 1 | docport | 60 | 300,000 | 5.00 / 12.00 / 30.00 | **2.40** ✅ | 3 (61 ms) |",
      "| 1 | httpapi | 60 | 300,000 | 5.00 / 20.00 / 30.00 | 4.00 | – |",
      "| 2 | docport | 60 | 300,000 | 5.00 / 16.00 / 30.00 | **3.20** ❌ | 2 (40 ms) |"
    ])
    expect(postCyclesTable([])).toBeUndefined()
  })
})
