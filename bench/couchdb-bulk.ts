/**
 * saveMany, getMany, listAll and deleteMany of 10,000 documents on the CouchDB backend against
 * pouchdb-server (or COUCHDB_URL), counting HTTP requests as nano hands them to fetch.
 * Run: npx tsx bench/couchdb-bulk.ts [count]
 */
import { Effect } from "effect"
import * as CouchDbDatabase from "../src/adapters/couchdb/CouchDbDatabase.js"
import { couchTestOptions } from "../test/support/pouchdbServer.js"

const COUNT = Number(process.argv[2] ?? 10_000)

const requests = new Map<string, number>()
const originalFetch = globalThis.fetch
globalThis.fetch = (input, init) => {
  const path = new URL(String(input)).pathname.split("/").slice(2).join("/") || "(database)"
  const key = `${(init?.method ?? "get").toUpperCase()} ${path}`
  requests.set(key, (requests.get(key) ?? 0) + 1)
  return originalFetch(input, init)
}

const measure = <A, E>(label: string, effect: Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    requests.clear()
    const started = performance.now()
    const result = yield* effect
    const ms = performance.now() - started
    const total = [...requests.values()].reduce((a, b) => a + b, 0)
    const detail = [...requests.entries()].map(([request, n]) => `${request} ×${n}`).join(", ")
    console.log(`${label}: ${ms.toFixed(0)} ms, ${total} requests (${detail})`)
    return result
  })

const program = Effect.gen(function*() {
  const options = yield* couchTestOptions
  const db = yield* CouchDbDatabase.make(options)
  const docs = Array.from({ length: COUNT }, (_, i) => ({
    _id: `doc-${String(i).padStart(6, "0")}`,
    name: `document ${i}`,
    score: i / 7,
    tags: ["a", "b"],
    nested: { ok: true }
  }))
  const ids = docs.map((d) => d._id)
  const c = `bench${Date.now().toString(36)}`
  yield* measure(`saveMany ${COUNT}, new collection`, db.saveMany(c, docs)).pipe(
    Effect.filterOrFail((results) => results.every((r) => r.ok), () => new Error("saveMany reported failures"))
  )
  yield* measure(`saveMany ${COUNT}, replacing every document`, db.saveMany(c, docs)).pipe(
    Effect.filterOrFail((results) => results.every((r) => r.ok), () => new Error("saveMany reported failures"))
  )
  yield* measure(`getMany ${COUNT}`, db.getMany(c, ids)).pipe(
    Effect.filterOrFail((found) => [...found.values()].every((d) => d !== null), () => new Error("getMany missed documents"))
  )
  yield* measure(`listAll ${COUNT}`, db.listAll(c))
  yield* measure(`deleteMany ${COUNT}`, db.deleteMany(c, ids))
})

Effect.runPromise(Effect.scoped(program)).catch((error) => {
  console.error(error)
  process.exitCode = 1
})
