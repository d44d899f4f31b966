import { Effect } from "effect"
import type { RunningBackend } from "../backends/Backend.js"
import { countingProxy } from "../support/countingProxy.js"

export interface BulkSettings {
  readonly documents: number
  readonly rounds: number
  readonly log: (line: string) => void
}

export interface BulkRun {
  readonly backend: string
  readonly op: "saveMany" | "getMany"
  readonly round: number
  readonly documents: number
  readonly ms: number
  /** Requests that reached the server, through the counting proxy; absent in memory. */
  readonly requests?: number | undefined
  readonly requestKinds?: Record<string, number> | undefined
}

const COLLECTION = "bulk"

export const bulkDocument = (i: number) => ({
  _id: `doc-${String(i).padStart(6, "0")}`,
  name: `document ${i}`,
  team: `team-${i % 50}`,
  score: i / 7,
  tags: ["alpha", "beta"],
  nested: { ok: true, depth: 1 }
})

const describe = (run: BulkRun) =>
  `${run.ms.toFixed(0)} ms` +
  (run.requests === undefined ? "" : `, ${run.requests} requests (${Object.entries(run.requestKinds ?? {}).map(([k, n]) => `${k} ×${n}`).join(", ")})`)

/**
 * saveMany of N new documents into a new collection, then getMany of all of them, each round on
 * fresh collections, the adapter talking to its server through a proxy that counts the requests.
 */
export const bulkBench = (backend: RunningBackend, settings: BulkSettings) =>
  Effect.gen(function*() {
    const runs: Array<BulkRun> = []
    for (let round = 1; round <= settings.rounds; round++) {
      yield* Effect.scoped(Effect.gen(function*() {
        const proxy = backend.endpoint === undefined ? undefined : yield* countingProxy(backend.endpoint, backend.protocol ?? "http1")
        const db = yield* backend.adapter(backend.namespace(), proxy?.url)
        const docs = Array.from({ length: settings.documents }, (_, i) => bulkDocument(i))
        const ids = docs.map((doc) => doc._id)
        const measure = <A, E>(op: BulkRun["op"], effect: Effect.Effect<A, E>, check: (a: A) => string | undefined) =>
          Effect.gen(function*() {
            proxy?.reset()
            const started = performance.now()
            const result = yield* effect
            const ms = performance.now() - started
            const problem = check(result)
            if (problem !== undefined) return yield* Effect.fail(new Error(`${backend.name} ${op}: ${problem}`))
            const run: BulkRun = {
              backend: backend.name,
              op,
              round,
              documents: settings.documents,
              ms,
              requests: proxy?.total(),
              requestKinds: proxy?.counts()
            }
            settings.log(`  round ${round} ${backend.name} ${op} ${settings.documents}: ${describe(run)}`)
            runs.push(run)
          })
        yield* measure("saveMany", db.saveMany(COLLECTION, docs), (results) => {
          const failed = results.filter((r) => !r.ok)
          return failed.length === 0 ? undefined : `${failed.length} failed, e.g. ${JSON.stringify(failed[0])}`
        })
        yield* measure("getMany", db.getMany(COLLECTION, ids), (found) => {
          const missing = ids.filter((id) => found.get(id) == null)
          return missing.length === 0 ? undefined : `${missing.length} missing, e.g. ${missing[0]}`
        })
      }))
    }
    return runs
  })
