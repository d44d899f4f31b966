import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { request as httpRequest } from "node:http"
import * as CouchDbDatabase from "../../src/adapters/couchdb/CouchDbDatabase.js"
import { serveLocally } from "../support/dynalite.js"
import { startPouchdbServer, TEST_ADMIN } from "../support/pouchdbServer.js"

/**
 * Apache CouchDB 3.4.3 creates a document sent to `_bulk_docs` with a `_rev` when its id has no
 * revision tree; pouchdb-server refuses it. So the contract case passes on pouchdb-server either
 * way, and this test looks at what the adapter sends instead: a conditional write whose revision
 * is not the stored one never reaches `_bulk_docs`.
 */
describe("CouchDB conditional bulk writes", () => {
  it.live("a _rev that is not the stored revision is answered as a conflict by the adapter, without sending the document", () =>
    Effect.gen(function*() {
      const pouchdb = yield* startPouchdbServer()
      const target = new URL(pouchdb.url)
      const bulkBodies: Array<string> = []
      const proxy = yield* serveLocally((req, res) => {
        let body = ""
        req.on("data", (chunk) => (body += chunk))
        req.on("end", () => {
          if (req.url?.includes("_bulk_docs")) bulkBodies.push(body)
          const forward = httpRequest(
            { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
            (answer) => {
              res.writeHead(answer.statusCode ?? 502, answer.headers)
              answer.pipe(res)
            }
          )
          forward.end(body)
        })
      })
      const db = yield* CouchDbDatabase.make({ url: proxy.endpoint, username: TEST_ADMIN, password: Redacted.make(pouchdb.password) })
      const { rev } = yield* db.save("revs", "live", { v: 1 })
      bulkBodies.length = 0
      const results = yield* db.saveMany("revs", [
        { _id: "live", _rev: rev, v: 2 },
        { _id: "ghost", _rev: rev, v: 2 },
        { _id: "stale-live", _rev: "1-0123456789abcdef0123456789abcdef", v: 2 }
      ])
      expect(results.map((r) => [r.id, r.ok ? "ok" : r.error])).toEqual([["live", "ok"], ["ghost", "conflict"], ["stale-live", "conflict"]])
      const sent = bulkBodies.flatMap((body) => (JSON.parse(body) as { docs: Array<{ _id: string }> }).docs.map((d) => d._id))
      expect(sent).toEqual(["live"])
    }).pipe(Effect.scoped), 60_000)
})
