import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted, Stream } from "effect"
import { randomUUID } from "node:crypto"
import * as CouchDbDatabase from "../../src/adapters/couchdb/CouchDbDatabase.js"
import type { DatabaseServiceShape } from "../../src/ports/DatabaseService.js"
import { freePort, stopChildServer } from "../support/ChildServer.js"
import { freezeServer, startPouchdbServer, TEST_ADMIN } from "../support/pouchdbServer.js"

/** Every operation that reaches the server, against one collection. */
type Failing = Effect.Effect<unknown, { readonly _tag: string; readonly message: string; readonly unavailable?: boolean }>

const everyOperation = (db: DatabaseServiceShape, c: string): Record<string, Failing> => ({
  ping: db.ping,
  get: db.get(c, "a"),
  save: db.save(c, "a", { n: 2 }),
  saveWithRev: db.save(c, "a", { n: 2 }, { expectedRev: "1-abc" }),
  delete: db.delete(c, "a"),
  listAll: db.listAll(c),
  stream: Stream.runCollect(db.stream(c)),
  pages: db.pages(c),
  find: db.find(c, { n: 1 }),
  ensureIndex: db.ensureIndex(c, ["n"]),
  getMany: db.getMany(c, ["a"]),
  saveMany: db.saveMany(c, [{ _id: "b" }]),
  deleteMany: db.deleteMany(c, ["a"])
})

const expectAllUnavailable = (db: DatabaseServiceShape, c: string, url: string, secret: string) =>
  Effect.forEach(Object.entries(everyOperation(db, c)), ([name, operation]) =>
    Effect.map(Effect.flip(operation), (error) => {
      expect({ name, error }).toMatchObject({ name, error: { _tag: "DatabaseError", unavailable: true } })
      expect(error.message).toContain("COUCHDB_URL")
      expect(error.message).not.toContain(new URL(url).port)
      expect(error.message).not.toContain(secret)
    }), { discard: true, concurrency: "unbounded" })

describe("CouchDB outages", () => {
  it.live("a server that dies mid-run: every operation fails with DatabaseError unavailable, then works once it is back", () =>
    Effect.gen(function*() {
      const port = yield* freePort
      const password = randomUUID()
      const first = yield* startPouchdbServer({ port, password })
      const db = yield* CouchDbDatabase.make({ url: first.url, username: TEST_ADMIN, password: Redacted.make(password) })
      const c = "outage"
      yield* db.save(c, "a", { n: 1 })

      yield* stopChildServer(first.server)
      yield* expectAllUnavailable(db, c, first.url, password)

      // Same port, same admin; in memory, so the collection's database is gone and must be recreated.
      yield* startPouchdbServer({ port, password })
      yield* db.ping
      const { rev } = yield* db.save(c, "b", { n: 2 })
      expect(yield* db.get(c, "b")).toEqual({ _id: "b", _rev: rev, n: 2 })
      expect((yield* Effect.flip(db.get(c, "a")))._tag).toBe("NotFound")
      expect((yield* db.saveMany(c, [{ _id: "c" }])).map((r) => r.ok)).toEqual([true])
      expect((yield* db.listAll(c)).map((d) => d._id).sort()).toEqual(["b", "c"])
    }).pipe(Effect.scoped))

  it.live("a server that hangs mid-run: operations time out as unavailable instead of waiting, then recover", () =>
    Effect.gen(function*() {
      const pouchdb = yield* startPouchdbServer()
      const db = yield* CouchDbDatabase.make({
        url: pouchdb.url,
        username: TEST_ADMIN,
        password: Redacted.make(pouchdb.password),
        requestTimeout: "400 millis"
      })
      const c = "hang"
      yield* db.save(c, "a", { n: 1 })
      const started = Date.now()
      yield* Effect.scoped(Effect.zipRight(freezeServer(pouchdb.server), expectAllUnavailable(db, c, pouchdb.url, pouchdb.password)))
      expect(Date.now() - started).toBeLessThan(12 * 400 + 3_000)
      expect((yield* db.get(c, "a")).n).toBe(1)
    }).pipe(Effect.scoped))
})
