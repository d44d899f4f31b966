import { describe, expect, layer } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Redacted } from "effect"
import { readFile } from "node:fs/promises"
import { connect, createServer, type Socket } from "node:net"
import { join } from "node:path"
import { gunzipSync } from "node:zlib"
import * as CouchDbCatalog from "../../src/adapters/couchdb/CouchDbCatalog.js"
import * as CouchDbDatabase from "../../src/adapters/couchdb/CouchDbDatabase.js"
import { type Backend, Backends, fromLayer, layer as backendsLayer } from "../../src/cli/Backends.js"
import { canonicalJson, type Portable } from "../../src/cli/Canonical.js"
import { MAX_LINE_CHARS } from "../../src/cli/Files.js"
import type { DocumentPage } from "../../src/ports/Document.js"
import { DatabaseError } from "../../src/ports/Errors.js"
import { pageStream } from "../../src/ports/pageStream.js"
import { freePort } from "../support/ChildServer.js"
import { fixtureCount, fixtures } from "./fixtures.js"
import { cli, type CliRun, freshBackend, freshOptions, seed, Servers, serversLayer, tempDir } from "./support.js"

const generated = (n: number): Record<string, ReadonlyArray<Portable>> => ({
  agents: Array.from({ length: n }, (_, i) => ({
    _id: `agent-${String(i).padStart(5, "0")}`,
    name: `Agent ${i}`,
    description: "generated",
    code: "x".repeat(i % 50),
    createdAt: "2026-11-28T00:00:00.000Z"
  }))
})

/** The target as it looks when its server goes away after `calls` bulk writes. */
const failingAfter = (backend: Backend, calls: number): Backend => {
  let seen = 0
  return {
    ...backend,
    db: {
      ...backend.db,
      saveMany: (collection, docs) =>
        Effect.suspend(() =>
          ++seen > calls
            ? Effect.fail(new DatabaseError({ operation: "saveMany", message: "connection refused", unavailable: true }))
            : backend.db.saveMany(collection, docs)
        )
    }
  }
}

/**
 * The source as it looks when its server does not answer once, for the read of page `n` (from 0):
 * its stream made of its pages, as the port's is, and the page reads counted, attempts included.
 */
const stallingOnce = (backend: Backend, n: number) => {
  let stalled = false
  let reads = 0
  const counted = (read: Effect.Effect<DocumentPage, DatabaseError>, index: number): Effect.Effect<DocumentPage, DatabaseError> =>
    Effect.suspend(() => {
      reads += 1
      if (index === n && !stalled) {
        stalled = true
        return Effect.fail(new DatabaseError({ operation: "stream.page", message: "did not answer within 2s", unavailable: true }))
      }
      return Effect.map(read, (page) => ({ items: page.items, next: page.next === undefined ? undefined : counted(page.next, index + 1) }))
    })
  const pages: Backend["db"]["pages"] = (collection, options) =>
    Effect.flatMap(backend.db.pages(collection, options), (first) => counted(Effect.succeed(first), 0))
  const stalling: Backend = { ...backend, db: { ...backend.db, pages, stream: (collection, options) => pageStream(pages(collection, options)) } }
  return { backend: stalling, reads: () => reads }
}

/** A TCP proxy to `to` that starts listening on `port` only after `ms`, closed with the scope. */
const listenLater = (port: number, to: URL, ms: number) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const sockets = new Set<Socket>()
      const server = createServer((client) => {
        const upstream = connect(Number(to.port), to.hostname)
        for (const socket of [client, upstream]) {
          sockets.add(socket)
          socket.on("error", () => (client.destroy(), upstream.destroy()))
        }
        client.pipe(upstream).pipe(client)
      })
      const timer = setTimeout(() => server.listen(port, "127.0.0.1"), ms)
      return { server, timer, sockets }
    }),
    ({ server, sockets, timer }) =>
      Effect.sync(() => {
        clearTimeout(timer)
        for (const socket of sockets) socket.destroy()
        server.close()
      })
  )

const total = (run: CliRun, field: "read" | "written" | "skipped" | "failed") =>
  run.result.tallies.reduce((n, t) => n + t[field], 0)

layer(serversLayer(false), { timeout: 120_000, excludeTestServices: true })("copy, export and import are safe to repeat", (it) => {
  it.scoped("a copy stopped by a target outage, started again, ends with every document once", () =>
    Effect.gen(function*() {
      const source = yield* freshBackend("couchdb")
      const target = yield* freshBackend("dynamodb")
      yield* seed(source, generated(300))
      const args = ["copy", "--from-provider", "couchdb", "--to-provider", "dynamodb", "--page-size", "50"]

      const stopped = yield* cli(args, { source, target: failingAfter(target, 2) })
      expect(stopped.exitCode).toBe(1)
      expect(stopped.err).toContain("docport copy stopped: connection refused")
      expect(total(stopped, "written")).toBe(100)
      expect(stopped.out).toMatch(/agents\s+1\d\d\s+100\s+0\s+0/)
      expect((yield* target.db.listAll("agents")).length).toBe(100)

      const resumed = yield* cli(args, { source, target })
      expect(resumed.exitCode, resumed.err).toBe(0)
      expect(total(resumed, "skipped")).toBe(100)
      expect(total(resumed, "written")).toBe(200)
      const stored = yield* target.db.listAll("agents")
      expect(stored.length).toBe(300)
      expect(new Set(stored.map((d) => d._id)).size).toBe(300)

      const verified = yield* cli(["verify", "--from-provider", "couchdb", "--to-provider", "dynamodb"], { source, target })
      expect(verified.exitCode, verified.out).toBe(0)
    }))

  it.scoped("verify reads on past a backend that stopped answering for a moment, counting every document once", () =>
    Effect.gen(function*() {
      const source = yield* freshBackend("memory")
      const target = yield* freshBackend("memory")
      yield* seed(source, generated(250))
      yield* seed(target, generated(250))
      const flaky = stallingOnce(source, 2)
      const run = yield* cli(["verify", "--from-provider", "memory", "--to-provider", "memory", "--page-size", "50"], {
        source: flaky.backend,
        target
      })
      expect(run.exitCode, run.out + run.err).toBe(0)
      // Five pages and the one read again, never the pages before it.
      expect(flaky.reads()).toBe(6)
      expect(run.result.diffs).toMatchObject([{ collection: "agents", sourceCount: 250, targetCount: 250, missing: [], extra: [] }])
    }))

  it.scoped("copy and export read on past a source that stopped answering for a moment, every document once", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const source = yield* freshBackend("couchdb")
      const target = yield* freshBackend("dynamodb")
      yield* seed(source, generated(250))

      const copying = stallingOnce(source, 2)
      const copied = yield* cli(["copy", "--from-provider", "couchdb", "--to-provider", "dynamodb", "--page-size", "50"], {
        source: copying.backend,
        target
      })
      expect(copied.exitCode, copied.err).toBe(0)
      expect(copying.reads()).toBe(6)
      expect(copied.result.tallies).toMatchObject([{ collection: "agents", read: 250, written: 250, skipped: 0, failed: 0 }])
      const stored = yield* target.db.listAll("agents")
      expect(new Set(stored.map((d) => d._id)).size).toBe(250)
      expect(stored.length).toBe(250)

      const exporting = stallingOnce(source, 3)
      const file = join(dir, "agents.ndjson")
      const exported = yield* cli(["export", "--provider", "couchdb", "--to", file, "--page-size", "50"], { service: exporting.backend })
      expect(exported.exitCode, exported.err).toBe(0)
      const ids = (yield* Effect.promise(() => readFile(file, "utf8"))).trim().split("\n").map((line) => JSON.parse(line).document._id)
      expect(ids).toEqual(generated(250).agents!.map((d) => d._id))
    }))

  it.scoped("a listing of the collections that did not answer once is asked again, as a page read is", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const source = yield* freshBackend("couchdb")
      yield* seed(source, generated(20))
      let listings = 0
      const flaky: Backend = {
        ...source,
        catalog: {
          ...source.catalog,
          collections: Effect.suspend(() =>
            ++listings === 1
              ? Effect.fail(new DatabaseError({ operation: "collections", message: "could not be reached: other side closed", unavailable: true }))
              : source.catalog.collections
          )
        }
      }
      const file = join(dir, "all.ndjson")
      const exported = yield* cli(["export", "--provider", "couchdb", "--to", file], { service: flaky })
      expect(exported.exitCode, exported.err).toBe(0)
      expect(listings).toBe(2)
      expect((yield* Effect.promise(() => readFile(file, "utf8"))).trim().split("\n")).toHaveLength(20)
    }))

  it.scoped("a source out of reach when the command starts gets the same retries before the run stops", () =>
    Effect.gen(function*() {
      const servers = yield* Servers
      const port = yield* freePort
      // Nothing listens on the port for the first moment (connection refused), then a proxy to pouchdb-server does.
      yield* listenLater(port, new URL(servers.couchdb.url), 600)
      const source = yield* Effect.flatMap(Backends, (backends) => backends.open("source", "couchdb")).pipe(
        Effect.provide(backendsLayer),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([
          ["SOURCE_COUCHDB_URL", `http://127.0.0.1:${port}`],
          ["SOURCE_COUCHDB_USER", servers.couchdb.username],
          ["SOURCE_COUCHDB_PASSWORD", Redacted.value(servers.couchdb.password)],
          ["SOURCE_COUCHDB_DATABASE_PREFIX", "docport-startup-retry-"]
        ]), { pathDelim: "_" }))
      )
      expect(yield* source.catalog.collections).toEqual([])
    }))

  it.scoped("a document the target cannot store is reported with its id and reason; the others go over", () =>
    Effect.gen(function*() {
      const options = (yield* freshOptions("couchdb")) as CouchDbDatabase.CouchDbOptions
      const source = yield* fromLayer("couchdb", Layer.merge(CouchDbDatabase.layer(options), CouchDbCatalog.layer(options))).pipe(Effect.orDie)
      const target = yield* freshBackend("dynamodb")
      yield* seed(source, { agents: fixtures.agents!, demos: fixtures.demos! })
      // Written beside docport, as another writer (Gofannon) could: over the document limit every
      // docport backend shares (and DynamoDB's 400 KB item limit), so no target takes it.
      const big = { name: "big", description: "", code: "x".repeat(450 * 1024) }
      const put = yield* Effect.promise(() =>
        fetch(`${options.url}/${options.databasePrefix ?? ""}agents/too-big`, {
          method: "PUT",
          headers: {
            "content-type": "application/json",
            authorization: `Basic ${Buffer.from(`${options.username}:${Redacted.value(options.password)}`).toString("base64")}`
          },
          body: JSON.stringify(big)
        }))
      expect(put.status).toBe(201)
      const args = ["copy", "--from-provider", "couchdb", "--to-provider", "dynamodb"]

      const run = yield* cli(args, { source, target })
      expect(run.exitCode).toBe(2)
      expect(run.result.tallies.find((t) => t.collection === "agents")).toMatchObject({ read: 4, written: 3, failed: 1 })
      expect(run.out).toMatch(/failed agents\/too-big: invalid: .*over the limit/)
      expect(run.out).not.toContain("xxxxxxxx")
      expect((yield* target.db.listAll("demos")).length).toBe(fixtures.demos!.length)

      // Still refused on a second run; everything else is already there.
      const again = yield* cli(args, { source, target })
      expect(again.exitCode).toBe(2)
      expect(total(again, "skipped")).toBe(fixtures.agents!.length + fixtures.demos!.length)
      expect(total(again, "failed")).toBe(1)
    }))

  it.scoped("create mode never overwrites a different document; upsert replaces it; dry runs write nothing", () =>
    Effect.gen(function*() {
      const source = yield* freshBackend("couchdb")
      const target = yield* freshBackend("memory")
      yield* seed(source, fixtures)
      yield* target.db.save("agents", "numbers-agent", { name: "someone else's" })
      const args = ["copy", "--from-provider", "couchdb", "--to-provider", "memory"]

      const dry = yield* cli([...args, "--dry-run"], { source, target })
      expect(dry.exitCode).toBe(2)
      expect(dry.out).toContain("dry run: nothing was written")
      expect(total(dry, "written")).toBe(fixtureCount - 1)
      expect(yield* target.catalog.collections).toEqual(["agents"])

      const created = yield* cli(args, { source, target })
      expect(created.exitCode).toBe(2)
      expect(created.out).toContain("failed agents/numbers-agent: already in the target with a different body; not overwritten")
      expect((yield* target.db.get("agents", "numbers-agent")).name).toBe("someone else's")
      expect(total(created, "written")).toBe(fixtureCount - 1)

      const upserted = yield* cli([...args, "--mode", "upsert"], { source, target })
      expect(upserted.exitCode, upserted.out).toBe(0)
      expect(total(upserted, "written")).toBe(1)
      expect((yield* target.db.get("agents", "numbers-agent")).name).toBe("Numbers")
    }))

  describe("export and import", () => {
    it.scoped("round trip CouchDB → file.gz → DynamoDB → file: the same bytes once sorted", () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const couch = yield* freshBackend("couchdb")
        const dynamo = yield* freshBackend("dynamodb")
        yield* seed(couch, fixtures)

        const exported = yield* cli(["export", "--provider", "couchdb", "--to", join(dir, "couch.ndjson.gz"), "--page-size", "2"], { service: couch })
        expect(exported.exitCode, exported.err).toBe(0)
        expect(exported.err).toMatch(new RegExp(`total\\s+${fixtureCount}\\s+${fixtureCount}`))
        const first = gunzipSync(yield* Effect.promise(() => readFile(join(dir, "couch.ndjson.gz")))).toString("utf8")
        expect(first.trim().split("\n")).toHaveLength(fixtureCount)

        const dry = yield* cli(["import", "--provider", "dynamodb", "--from", join(dir, "couch.ndjson.gz"), "--dry-run"], { service: dynamo })
        expect(dry.exitCode).toBe(0)
        expect(yield* dynamo.catalog.collections).toEqual([])

        const imported = yield* cli(["import", "--provider", "dynamodb", "--from", join(dir, "couch.ndjson.gz")], { service: dynamo })
        expect(imported.exitCode, imported.out).toBe(0)
        expect(total(imported, "written")).toBe(fixtureCount)

        const back = yield* cli(["export", "--provider", "dynamodb", "--to", join(dir, "dynamo.ndjson")], { service: dynamo })
        expect(back.exitCode).toBe(0)
        const second = yield* Effect.promise(() => readFile(join(dir, "dynamo.ndjson"), "utf8"))
        const sorted = (text: string) => text.trim().split("\n").sort().join("\n")
        expect(sorted(second)).toBe(sorted(first))
        // And each line's document is the source document, byte for byte in canonical form.
        const bodies = Object.values(fixtures).flat().map(canonicalJson).sort()
        expect(sorted(second).split("\n").map((line) => canonicalJson(JSON.parse(line).document)).sort()).toEqual(bodies)

        const again = yield* cli(["import", "--provider", "dynamodb", "--from", join(dir, "dynamo.ndjson")], { service: dynamo })
        expect(again.exitCode).toBe(0)
        expect(total(again, "skipped")).toBe(fixtureCount)
      }))

    it.scoped("bad lines and bad ids are reported by line or id; the rest is imported", () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const target = yield* freshBackend("memory")
        const file = join(dir, "mixed.ndjson")
        const lines = [
          `{"collection":"agents","document":{"_id":"good","name":"ok"}}`,
          `not json`,
          `{"collection":"agents","document":{"_id":"_design/x","name":"bad id"}}`,
          `{"collection":"agents","document":{"_id":"good","name":"twice"}}`,
          `{"collection":"Bad Name","document":{"_id":"a"}}`,
          ``,
          `{"collection":"demos","document":{"_id":"d1","name":"demo"}}`
        ]
        yield* Effect.promise(() => import("node:fs/promises").then((fs) => fs.writeFile(file, lines.join("\n"))))
        const run = yield* cli(["import", "--provider", "memory", "--from", file], { service: target })
        expect(run.exitCode).toBe(2)
        expect(run.out).toContain("failed (unreadable)/line 2: not JSON")
        expect(run.out).toContain("failed agents/_design/x: must not start with '_'")
        expect(run.out).toContain("failed agents/good: appears more than once in the input")
        expect(run.out).toContain("failed Bad Name/a: invalid collection name")
        expect((yield* target.db.get("agents", "good")).name).toBe("ok")
        expect((yield* target.db.get("demos", "d1")).name).toBe("demo")
      }))

    it.scoped("a line longer than any storable document is reported by number, not held, and the rest is imported", () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const target = yield* freshBackend("memory")
        const file = join(dir, "overlong.ndjson")
        const huge = `{"collection":"agents","document":{"_id":"huge","s":"${"x".repeat(MAX_LINE_CHARS)}"}}`
        const lines = [`{"collection":"agents","document":{"_id":"a","name":"before"}}`, huge, `{"collection":"agents","document":{"_id":"b","name":"after"}}`]
        yield* Effect.promise(() => import("node:fs/promises").then((fs) => fs.writeFile(file, lines.join("\r\n"))))
        const run = yield* cli(["import", "--provider", "memory", "--from", file], { service: target })
        expect(run.exitCode).toBe(2)
        expect(run.out).toContain(`failed (unreadable)/line 2: longer than ${MAX_LINE_CHARS} characters`)
        expect((yield* target.db.get("agents", "a")).name).toBe("before")
        expect((yield* target.db.get("agents", "b")).name).toBe("after")
      }))

    it.scoped("a missing file stops the import with exit code 1 and one line", () =>
      Effect.gen(function*() {
        const target = yield* freshBackend("memory")
        const run = yield* cli(["import", "--provider", "memory", "--from", "/nonexistent/file.ndjson"], { service: target })
        expect(run.exitCode).toBe(1)
        expect(run.err).toContain("docport import stopped: /nonexistent/file.ndjson: ENOENT")
      }))
  })
})
