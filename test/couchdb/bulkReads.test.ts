import { expect, layer } from "@effect/vitest"
import { Context, Effect, Layer, Redacted } from "effect"
import * as CouchDbDatabase from "../../src/adapters/couchdb/CouchDbDatabase.js"
import { BULK_CHUNK } from "../../src/adapters/couchdb/CouchDbBulkWrite.js"
import { DatabaseService } from "../../src/ports/DatabaseService.js"
import { type EchoingProxy, startEchoingProxy } from "../support/echoingProxy.js"
import { startPouchdbServer } from "../support/pouchdbServer.js"

class Proxy extends Context.Tag("test/Proxy")<Proxy, EchoingProxy>() {}

/** The adapter on a real pouchdb-server, through a proxy that records each request. */
const CountedLive = Layer.unwrapScoped(Effect.gen(function*() {
  const pouchdb = yield* startPouchdbServer()
  const proxy = yield* startEchoingProxy(pouchdb.url)
  const database = CouchDbDatabase.layer({ url: proxy.url, username: pouchdb.username, password: Redacted.make(pouchdb.password) })
  return Layer.merge(database, Layer.succeed(Proxy, proxy))
}))

layer(CountedLive, { excludeTestServices: true, timeout: "120 seconds" })("CouchDB bulk reads", (it) => {
  it.effect("getMany of 2,500 ids is read in requests of BULK_CHUNK keys, each id answered across their bounds", () =>
    Effect.gen(function*() {
      const db = yield* DatabaseService
      const proxy = yield* Proxy
      const ids = Array.from({ length: 2_500 }, (_, i) => `doc-${String(i).padStart(5, "0")}`)
      // Every third document exists, so each request finds some and misses some.
      const stored = ids.filter((_, i) => i % 3 === 0)
      yield* db.saveMany("bulkreads", stored.map((id) => ({ _id: id, n: id })))
      proxy.seen.length = 0
      const found = yield* db.getMany("bulkreads", ids)
      expect(proxy.seen.filter((line) => line.includes("_all_docs"))).toHaveLength(Math.ceil(ids.length / BULK_CHUNK))
      expect(found.size).toBe(ids.length)
      expect(ids.filter((id) => found.get(id) !== null)).toEqual(stored)
      expect(found.get("doc-02499")?.n).toBe("doc-02499")
      expect(found.get("doc-01000")).toBeNull()
    }))

  it.effect("a _find answer holding null (a match deleted while the query ran, as pouchdb-server sends) is no document, not a failure", () =>
    Effect.gen(function*() {
      const db = yield* DatabaseService
      const proxy = yield* Proxy
      yield* db.saveMany("racedfind", ["a", "b", "c"].map((id) => ({ _id: id, agentId: "x" })))
      proxy.rewrite = (path, answer) =>
        path.includes("_find") && typeof answer === "object" && answer !== null && "docs" in answer
          ? { ...answer, docs: [null, ...(answer as { docs: Array<unknown> }).docs.slice(1)] }
          : answer
      try {
        // Both of the adapter's _find paths: the whole match, and a page in id order.
        expect((yield* db.find("racedfind", { agentId: "x" })).map((d) => d._id)).toEqual(["b", "c"])
        expect((yield* db.find("racedfind", { agentId: "x" }, { limit: 2 })).map((d) => d._id)).toEqual(["b", "c"])
      } finally {
        proxy.rewrite = undefined
      }
    }))
})
