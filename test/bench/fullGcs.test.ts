import { describe, expect, it, layer } from "@effect/vitest"
import { Effect } from "effect"
import { createServer } from "node:http"
import { withFullGcs, withFullGcsOf } from "../../bench/http/fullGcs.js"
import type { HttpRun } from "../../bench/http/httpBench.js"
import type { LoadResult } from "../../bench/http/load.js"
import { fullGcTable } from "../../bench/report/fullGcTable.js"
import * as MemoryDatabase from "../../src/adapters/MemoryDatabase.js"
import { fullCollection } from "../support/fullCollection.js"
import { BaseUrl, testServer } from "../support/TestServer.js"

// PerformanceObserver hands its entries over after the collection, not during it.
const collectedTwice = Effect.zipRight(
  Effect.sync(() => (fullCollection(), fullCollection())),
  Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 50)))
)

const result = (p50: number, p99: number): LoadResult => ({
  requests: 1000, durationS: 1, rps: 1000, p50, p99, errors: 0, conflicts: 0, statuses: {}, cpuUsPerRequest: 100, cpuShare: 1, turnCpuUsPerRequest: []
})

describe("the bench's count of full collections", () => {
  layer(testServer(MemoryDatabase.layer), { timeout: "60 seconds" })("around a run on docport", (it) => {
    it.effect("counts the full collections made during the run, and their pauses", () =>
      Effect.gen(function*() {
        const url = yield* BaseUrl
        const [, gcs] = yield* withFullGcs(url, collectedTwice)
        expect(gcs?.count).toBe(2)
        expect(gcs!.pauseMs).toBeGreaterThan(0)
      }))
    it.effect("counts them for this commit's docport only, whose name says it is", () =>
      Effect.gen(function*() {
        const url = yield* BaseUrl
        const [, ours] = yield* withFullGcsOf({ name: "docport", url, pid: process.pid }, collectedTwice)
        expect(ours?.count).toBe(2)
        // An earlier build answers /metrics too, but may not count them the same way.
        const [, earlier] = yield* withFullGcsOf({ name: "before", url, pid: process.pid }, collectedTwice)
        expect(earlier).toBeUndefined()
      }))
    it.effect("counts none, not undefined, where none was made", () =>
      Effect.gen(function*() {
        const [, gcs] = yield* withFullGcs(yield* BaseUrl, Effect.void)
        expect(gcs).toEqual({ count: 0, pauseMs: 0 })
      }))
  })

  it.effect("is undefined where /metrics does not answer", () =>
    Effect.acquireUseRelease(
      Effect.promise(() =>
        new Promise<ReturnType<typeof createServer>>((resolve) => {
          const server = createServer((_, res) => res.writeHead(404).end("not here"))
          server.listen(0, "127.0.0.1", () => resolve(server))
        })
      ),
      (server) =>
        Effect.gen(function*() {
          const { port } = server.address() as { port: number }
          const [, gcs] = yield* withFullGcs(`http://127.0.0.1:${port}`, collectedTwice)
          expect(gcs).toBeUndefined()
        }),
      (server) => Effect.promise(() => new Promise((resolve) => server.close(resolve)))
    ))

  it("the report puts each round's tail beside its count, docport on memory only", () => {
    const runs: Array<HttpRun> = [
      { target: "docport", backend: "couchdb", round: 1, scenario: "post", result: result(50, 90), fullGcs: { count: 3, pauseMs: 9 } },
      { target: "docport", backend: "memory", round: 1, scenario: "post", result: result(5, 20), fullGcs: { count: 1, pauseMs: 24.4 } },
      { target: "docport", backend: "memory", round: 2, scenario: "post", result: result(5, 9), fullGcs: { count: 0, pauseMs: 0 } },
      { target: "httpapi", backend: "map", round: 1, scenario: "post", result: result(5, 40) }
    ]
    const table = fullGcTable(runs)!
    expect(table).toContain("| POST /agents | 4.00 (1, 24 ms) | 1.80 (0) |")
    expect(table.split("\n")).toHaveLength(3)
    expect(fullGcTable(runs.slice(3))).toBeUndefined()
  })
})
