import { describe, expect, layer } from "@effect/vitest"
import { Chunk, Context, Effect, Layer, Redacted, Stream } from "effect"
import * as CouchDbDatabase from "../../src/adapters/couchdb/CouchDbDatabase.js"
import { freshCollection } from "../contract/DatabaseContract.js"
import { couchTestOptions } from "../support/pouchdbServer.js"

class Couch extends Context.Tag("test/Couch")<Couch, {
  readonly options: CouchDbDatabase.CouchDbOptions
  /** A second adapter on the same server: another process, as far as the first one knows. */
  readonly makeAdapter: typeof makeAdapter
}>() {}

const makeAdapter = CouchDbDatabase.make

const couch = Layer.scoped(Couch, Effect.map(couchTestOptions, (options) => ({ options, makeAdapter })))

/** The HTTP requests nano sends while `effect` runs, as "METHOD /path" (nano calls the global fetch). */
const requestsOf = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const seen: Array<string> = []
    const original = globalThis.fetch
    const result = yield* Effect.acquireUseRelease(
      Effect.sync(() => {
        globalThis.fetch = (input, init) => {
          const url = new URL(String(input))
          seen.push(`${(init?.method ?? "get").toUpperCase()} ${decodeURIComponent(url.pathname)}`)
          return original(input, init)
        }
      }),
      () => effect,
      () => Effect.sync(() => (globalThis.fetch = original))
    )
    return [result, seen] as const
  })

/** A raw request to the server, beside the adapter, as another client would make it. */
const raw = (options: CouchDbDatabase.CouchDbOptions, method: string, path: string) =>
  Effect.promise(() =>
    fetch(`${String(options.url).replace(/\/+$/, "")}/${path}`, {
      method,
      headers: { authorization: `Basic ${Buffer.from(`${options.username}:${Redacted.value(options.password)}`).toString("base64")}` }
    }).then((res) => res.status)
  )

layer(couch, { timeout: "120 seconds", excludeTestServices: true })("CouchDB databases", (it) => {
  describe("round trips", () => {
    it.effect("a collection's database is created once; later writes go straight to the document", () =>
      Effect.gen(function*() {
        const { options, makeAdapter } = yield* Couch
        const db = yield* makeAdapter(options)
        const c = freshCollection()
        const name = `${options.databasePrefix ?? ""}${c}`
        const [, first] = yield* requestsOf(db.save(c, "a", { n: 1 }))
        expect(first).toContain(`PUT /${name}`)
        const [, second] = yield* requestsOf(db.save(c, "b", { n: 1 }))
        expect(second).toEqual([`POST /${name}/_all_docs`, `PUT /${name}/b`])
        const [, conditional] = yield* requestsOf(db.save(c, "a", { n: 2 }, { mode: "create" }).pipe(Effect.flip))
        expect(conditional).toEqual([`PUT /${name}/a`])
        const [, many] = yield* requestsOf(db.getMany(c, ["a", "b", "zz"]))
        expect(many).toEqual([`POST /${name}/_all_docs`])
        // Reads of an unknown collection do not create it.
        const unknown = freshCollection()
        yield* db.listAll(unknown)
        yield* db.find(unknown, { n: 1 })
        yield* db.deleteMany(unknown, ["a"])
        expect(yield* raw(options, "GET", `${options.databasePrefix ?? ""}${unknown}`)).toBe(404)
      }).pipe(Effect.scoped))

    it.effect("ensureIndex posts to _index once per collection and fields", () =>
      Effect.gen(function*() {
        const { options, makeAdapter } = yield* Couch
        const db = yield* makeAdapter(options)
        const c = freshCollection()
        const [, calls] = yield* requestsOf(Effect.all([
          db.ensureIndex(c, ["agentId"]),
          db.ensureIndex(c, ["agentId"]),
          db.ensureIndex(c, ["friendlyName"]),
          db.ensureIndex(c, ["agentId"])
        ]))
        expect(calls.filter((call) => call.endsWith("/_index")).length).toBe(2)
        yield* db.save(c, "d", { agentId: "x" })
        expect((yield* db.find(c, { agentId: "x" })).map((d) => d._id)).toEqual(["d"])
        // The indexes' design documents are CouchDB's, never the caller's documents.
        expect((yield* db.listAll(c)).map((d) => d._id)).toEqual(["d"])
        expect((yield* db.find(c, {})).map((d) => d._id)).toEqual(["d"])
        expect(Chunk.toReadonlyArray(yield* Stream.runCollect(db.stream(c, { pageSize: 1 }))).map((d) => d._id)).toEqual(["d"])
      }).pipe(Effect.scoped))

    it.effect("saveMany of 2,500 new documents is one database creation and one request per 1,000", () =>
      Effect.gen(function*() {
        const { options, makeAdapter } = yield* Couch
        const db = yield* makeAdapter(options)
        const c = freshCollection()
        const docs = Array.from({ length: 2_500 }, (_, i) => ({ _id: `d${i}`, i }))
        const [results, calls] = yield* requestsOf(db.saveMany(c, docs))
        expect(results.every((r) => r.ok)).toBe(true)
        expect(calls.length).toBe(1 + 3)
        expect(calls.filter((call) => call.endsWith("/_bulk_docs")).length).toBe(3)
        expect((yield* db.listAll(c)).length).toBe(2_500)
        // Replacing them: the first chunk finds out they exist (write, look up, write again),
        // the next two look their revisions up first.
        const [replaced, replaceCalls] = yield* requestsOf(db.saveMany(c, docs.map((d) => ({ ...d, i: -d.i }))))
        expect(replaced.every((r) => r.ok)).toBe(true)
        expect(replaceCalls.length).toBe(3 + 2 * 2)
        expect((yield* db.get(c, "d2499")).i).toBe(-2499)
        const [deleted, deleteCalls] = yield* requestsOf(db.deleteMany(c, docs.map((d) => d._id)))
        expect(deleted.every((r) => r.ok)).toBe(true)
        expect(deleteCalls.length).toBe(3 * 2)
        expect(yield* db.listAll(c)).toEqual([])
      }).pipe(Effect.scoped))
  })

  describe("databases changed behind the adapter's back", () => {
    it.effect("a database deleted by someone else: reads are empty or NotFound, writes create it again", () =>
      Effect.gen(function*() {
        const { options, makeAdapter } = yield* Couch
        const db = yield* makeAdapter(options)
        const c = freshCollection()
        const name = `${options.databasePrefix ?? ""}${c}`
        yield* db.save(c, "a", { n: 1 })
        expect(yield* raw(options, "DELETE", name)).toBe(200)
        // The adapter still believes the database exists: the write finds out and recreates it.
        const { rev } = yield* db.save(c, "b", { n: 2 })
        expect(yield* db.get(c, "b")).toEqual({ _id: "b", _rev: rev, n: 2 })
        expect(yield* raw(options, "DELETE", name)).toBe(200)
        yield* db.save(c, "b", { n: 2 }, { mode: "create" })
        expect(yield* raw(options, "DELETE", name)).toBe(200)
        yield* db.save(c, "b", { n: 2 })
        expect(yield* raw(options, "DELETE", name)).toBe(200)
        expect((yield* Effect.flip(db.get(c, "b")))._tag).toBe("NotFound")
        expect(yield* db.listAll(c)).toEqual([])
        expect(yield* db.find(c, { n: 2 })).toEqual([])
        expect((yield* db.getMany(c, ["b"])).get("b")).toBeNull()
        expect((yield* Effect.flip(db.delete(c, "b")))._tag).toBe("NotFound")
        expect(yield* db.deleteMany(c, ["b"])).toEqual([{ id: "b", ok: true }])
        expect(yield* raw(options, "GET", name)).toBe(404)
        expect((yield* db.saveMany(c, [{ _id: "c" }]))[0]).toMatchObject({ id: "c", ok: true })
        yield* db.ensureIndex(c, ["n"])
        expect(yield* raw(options, "DELETE", name)).toBe(200)
        yield* db.ensureIndex(c, ["n"])
        yield* db.save(c, "d", { n: 4 })
        expect((yield* db.find(c, { n: 4 })).map((d) => d._id)).toEqual(["d"])
      }).pipe(Effect.scoped))

    it.effect("adapters that create the same database at once all succeed (412 file_exists is success)", () =>
      Effect.gen(function*() {
        const { options, makeAdapter } = yield* Couch
        const adapters = yield* Effect.all(Array.from({ length: 6 }, () => makeAdapter(options)))
        const c = freshCollection()
        const results = yield* Effect.all(
          adapters.map((db, i) => db.save(c, `w${i}`, { i })),
          { concurrency: "unbounded" }
        )
        expect(results.length).toBe(6)
        expect((yield* adapters[0]!.listAll(c)).length).toBe(6)
      }).pipe(Effect.scoped))
  })
})
