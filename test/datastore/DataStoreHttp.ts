import { expect } from "@effect/vitest"
import { Effect } from "effect"
import { DatabaseService } from "../../src/ports/DatabaseService.js"
import { raw } from "../support/TestServer.js"
import { KEYS, type Methods, ns, storedCount } from "./DataStoreDomain.js"


const enc = encodeURIComponent
const recordPath = (namespace: string, key: string) => `/data-store/namespaces/${enc(namespace)}/records/${enc(key)}`
const as = (user: string) => ({ "x-test-user": user })
const op = (name: string, body: unknown, user = "local") => raw("POST", `/data-store/ops/${name}`, body, undefined, as(user))

/**
 * An error body as Gofannon's UI reads it: `detail`, beside docport's `_tag` and `message`. The
 * platform's own schema failures (HttpApiDecodeError) have no `detail` yet: issue 9 gives them one.
 */
const expectError = (res: { status: number; body: any; text: string }, status: number, tag?: string) => {
  expect(res.status, res.text.slice(0, 300)).toBe(status)
  expect(typeof res.body?.message).toBe("string")
  if (res.body._tag !== "HttpApiDecodeError") {
    expect(typeof res.body.detail).toBe("string")
    expect(res.body.detail.length).toBeGreaterThan(0)
  }
  if (tag !== undefined) expect(res.body._tag).toBe(tag)
  expect(res.text).not.toMatch(/"cause"|stack|127\.0\.0\.1/)
}

const RECORD_FIELDS = [
  "_id",
  "_rev",
  "accessCount",
  "createdAt",
  "createdByAgent",
  "key",
  "lastAccessedAt",
  "lastAccessedByAgent",
  "metadata",
  "namespace",
  "updatedAt",
  "userId",
  "value"
]

/** HTTP cases of the data store, against the real server on a socket. */
export const httpCases = (it: Methods, timeout: number) => {
  it.effect("the UI's Data Store viewer sequence: set, stats, list, get, delete, clear", () =>
    Effect.gen(function*() {
      const namespace = ns("files:apache/repo")
      // setRecord: PUT {value, metadata}
      const set = yield* raw("PUT", recordPath(namespace, "src/main.py"), { value: { lines: 3 }, metadata: { lang: "py" } })
      expect(set.status).toBe(200)
      expect(Object.keys(set.body).sort()).toEqual(RECORD_FIELDS)
      expect(set.body).toMatchObject({ userId: "local", namespace, key: "src/main.py", value: { lines: 3 }, metadata: { lang: "py" }, accessCount: 0 })
      // handleEditSave sends the value alone; the metadata stays.
      const edited = yield* raw("PUT", recordPath(namespace, "src/main.py"), { value: "edited" })
      expect(edited.body).toMatchObject({ value: "edited", metadata: { lang: "py" }, createdAt: set.body.createdAt })
      yield* raw("PUT", recordPath(namespace, "README"), { value: "hello" })
      // DataStoresPage: listNamespaces
      const list = yield* raw("GET", "/data-store/namespaces")
      expect(list.status).toBe(200)
      const entry = list.body.namespaces.find((n: any) => n.namespace === namespace)
      expect(entry).toMatchObject({ recordCount: 2, agents: [] })
      expect(entry.sizeBytes).toBe(Buffer.byteLength(JSON.stringify("edited")) + Buffer.byteLength(JSON.stringify("hello")))
      expect(typeof entry.updatedAt).toBe("string")
      expect(list.body.totalRecordCount).toBeGreaterThanOrEqual(2)
      expect(typeof list.body.totalSizeBytes).toBe("number")
      // DataStoreBrowser.load: stats and records side by side
      const [stats, records] = yield* Effect.all([
        raw("GET", `/data-store/namespaces/${enc(namespace)}`),
        raw("GET", `/data-store/namespaces/${enc(namespace)}/records`)
      ], { concurrency: 2 })
      expect(stats.body).toMatchObject({ namespace, recordCount: 2 })
      expect(records.status).toBe(200)
      expect(records.body.map((r: any) => r.key).sort()).toEqual(["README", "src/main.py"])
      // getRecord after an edit
      const got = yield* raw("GET", recordPath(namespace, "src/main.py"))
      expect(got.body).toEqual(edited.body)
      // deleteRecord: 204, then 404 with a detail the UI shows
      const deleted = yield* raw("DELETE", recordPath(namespace, "src/main.py"))
      expect(deleted.status).toBe(204)
      expectError(yield* raw("DELETE", recordPath(namespace, "src/main.py")), 404, "NotFound")
      expectError(yield* raw("GET", recordPath(namespace, "src/main.py")), 404, "NotFound")
      // clearNamespace
      const cleared = yield* raw("DELETE", `/data-store/namespaces/${enc(namespace)}`)
      expect(cleared).toMatchObject({ status: 200, body: { namespace, deletedCount: 1 } })
      expect((yield* raw("GET", `/data-store/namespaces/${enc(namespace)}`)).body).toEqual({
        namespace,
        recordCount: 0,
        sizeBytes: 0,
        agents: [],
        updatedAt: null
      })
    }), timeout)

  it.effect("keys with '/', Unicode and 1 KB, percent-encoded or not", () =>
    Effect.gen(function*() {
      const namespace = ns("keys")
      for (const key of KEYS) {
        const res = yield* raw("PUT", recordPath(namespace, key), { value: key })
        expect(res.status, key.slice(0, 30)).toBe(200)
        expect(res.body.key).toBe(key)
        expect((yield* raw("GET", recordPath(namespace, key))).body.value).toBe(key)
      }
      // A long namespace, percent-encoded whole, is still one path parameter.
      const long = `${namespace}/${"n".repeat(400)}`
      expect((yield* raw("PUT", recordPath(long, "k"), { value: 1 })).status).toBe(200)
      expect((yield* raw("GET", `/data-store/namespaces/${enc(long)}`)).body.recordCount).toBe(1)
      // '/' left as it is in the path reaches the same record.
      expect((yield* raw("GET", `/data-store/namespaces/${enc(namespace)}/records/a/b/c.py`)).body.key).toBe("a/b/c.py")
      // But not so as to leave a segment empty: the router drops an empty segment, and 'a//b'
      // would reach the record 'a/b'. Such keys are refused as sent; encoded, they are records.
      for (const path of ["a//b/c.py", "a/b/c.py/", "/a/b/c.py"]) {
        for (const method of ["GET", "PUT", "DELETE"] as const) {
          const res = yield* raw(method, `/data-store/namespaces/${enc(namespace)}/records/${path}`, method === "PUT" ? { value: "overwritten" } : undefined)
          // A change on a path ending in '/' is no route at all (see the next test).
          const status = method !== "GET" && path.endsWith("/") ? 404 : 400
          expect(`${method} ${path} ${res.status}`).toBe(`${method} ${path} ${status}`)
          expect(res.body.detail).toContain("%2F")
        }
      }
      expect((yield* raw("GET", recordPath(namespace, "a/b/c.py"))).body.value).toBe("a/b/c.py")
      expect((yield* raw("PUT", recordPath(namespace, "a//b"), { value: 2 })).body.key).toBe("a//b")
      expect((yield* raw("GET", recordPath(namespace, "a//b"))).body.value).toBe(2)
      expect((yield* raw("DELETE", recordPath(namespace, "a//b"))).status).toBe(204)
      const keys = yield* op("listKeys", { namespace, agent: "lister" })
      expect(keys.body.keys).toEqual([...KEYS].sort())
      expectError(yield* raw("PUT", recordPath(namespace, "x".repeat(1501)), { value: 1 }), 400, "BadRequest")
      // No key at all is no record route, as with Gofannon's {key:path}: a change on a path
      // ending in '/' is no route; without the slash it is the list's path, which takes GET only.
      expectError(yield* raw("PUT", `/data-store/namespaces/${enc(namespace)}/records/`, { value: 1 }), 404, "NotFound")
      const noKey = yield* raw("PUT", `/data-store/namespaces/${enc(namespace)}/records`, { value: 1 })
      expectError(noKey, 405, "MethodNotAllowed")
      expect(noKey.headers["allow"]).toBe("GET, HEAD")
      expectError(yield* op("set", { namespace, key: "\ud800", value: 1, agent: "a" }), 400, "BadRequest")
    }), timeout)

  it.effect("a change on a path ending in '/' reaches no route: the UI's delete of key '..' no longer clears the namespace", () =>
    Effect.gen(function*() {
      const namespace = ns("dots")
      for (const key of ["kept", "..", "."]) expect((yield* op("set", { namespace, key, value: key, agent: "a" })).status).toBe(200)
      // A browser resolves the UI's …/records/.. (encodeURIComponent leaves dots alone, and a URL
      // parser takes %2E%2E for .. too) to the namespace's own path with a trailing slash.
      expect(new URL(`http://ui${recordPath(namespace, "..")}`).pathname).toBe(`/data-store/namespaces/${enc(namespace)}/`)
      expectError(yield* raw("DELETE", `/data-store/namespaces/${enc(namespace)}/`), 404, "NotFound")
      expectError(yield* raw("PUT", `/agents/some-id/`, { name: "n" }), 404, "NotFound")
      expect((yield* op("listKeys", { namespace, agent: "a" })).body.keys).toEqual([".", "..", "kept"])
      // Sent as written (not by a browser), the keys are records like any other.
      expect((yield* raw("GET", `/data-store/namespaces/${enc(namespace)}/records/..`)).body.value).toBe("..")
      expect((yield* raw("DELETE", `/data-store/namespaces/${enc(namespace)}/records/%2E%2E`)).status).toBe(204)
      // A read keeps the router's leniency about a trailing slash: it changes nothing.
      expect((yield* raw("GET", `/data-store/namespaces/${enc(namespace)}/`)).body.recordCount).toBe(2)
    }), timeout)

  it.effect("the runtime's operations name the acting agent; reads are counted once flushed", () =>
    Effect.gen(function*() {
      const db = yield* DatabaseService
      const namespace = ns("ops")
      const set = yield* op("set", { namespace, key: "cfg", value: { on: true }, metadata: { v: 1 }, agent: "planner" })
      expect(set.status).toBe(200)
      expect(set.body).toMatchObject({ createdByAgent: "planner", lastAccessedByAgent: "planner" })
      expect(typeof set.body.lastAccessedAt).toBe("string")
      const stale = yield* op("set", { namespace, key: "cfg", value: 2, _rev: "1-stale", agent: "planner" })
      expectError(stale, 409, "Conflict")
      const cas = yield* op("set", { namespace, key: "cfg", value: 2, _rev: set.body._rev, agent: "planner" })
      expect(cas.body.value).toBe(2)
      expect((yield* op("get", { namespace, key: "cfg", agent: "reader" })).body.record.value).toBe(2)
      expect((yield* op("get", { namespace, key: "none", agent: "reader" })).body).toEqual({ record: null })
      const many = yield* op("setMany", { namespace, items: [{ key: "a", value: 1 }, { key: "b/c", value: 2, metadata: { m: 1 } }], agent: "bulk" })
      expect(many.body).toMatchObject({ count: 2, results: [{ key: "a", ok: true }, { key: "b/c", ok: true }] })
      const got = yield* op("getMany", { namespace, keys: ["a", "b/c", "zz"], agent: "reader" })
      expect(got.body.records.map((r: any) => [r.key, r.value])).toEqual([["a", 1], ["b/c", 2]])
      expect((yield* op("listKeys", { namespace, prefix: "b", agent: "x" })).body).toEqual({ keys: ["b/c"] })
      const all = yield* op("getAll", { namespace, agent: "reader" })
      expect(all.body.nextCursor).toBeNull()
      expect(all.body.records.map((r: any) => r.key).sort()).toEqual(["a", "b/c", "cfg"])
      const paged = yield* op("getAll", { namespace, agent: "reader", limit: 2 })
      expect(paged.body.records.length).toBe(2)
      const rest = yield* op("getAll", { namespace, agent: "reader", limit: 2, cursor: paged.body.nextCursor })
      expect(rest.body.records.length).toBe(1)
      expect((yield* op("delete", { namespace, key: "a", agent: "x" })).body).toEqual({ deleted: true })
      expect((yield* op("delete", { namespace, key: "a", agent: "x" })).body).toEqual({ deleted: false })
      expect((yield* op("deleteMany", { namespace, keys: ["b/c", "nope"], agent: "x" })).body).toEqual({ deletedCount: 2 })
      // The server flushes counts within its delay: cfg was read by get, getAll, the getAll pages.
      let count: unknown
      for (let i = 0; i < 100 && count !== 3; i++) {
        yield* Effect.sleep("100 millis")
        count = yield* storedCount(db, cas.body._id)
      }
      expect(count).toBe(3)
      expect((yield* op("clear", { namespace, agent: "x" })).body).toEqual({ namespace, deletedCount: 1 })
      // Every operation names its agent; a body that does not match is a 422 naming the field.
      const noAgent = yield* op("get", { namespace, key: "cfg" })
      expectError(noAgent, 422, "ValidationError")
      expect(noAgent.body.detail).toContain("agent")
      expect(noAgent.body.detail).not.toContain("\n")
      expectError(yield* op("getMany", { namespace, keys: "cfg", agent: "a" }), 422, "ValidationError")
      // An agent's name is stored with the reads it counts: one no backend can store is refused
      // up front, on reads as on writes, rather than read and then never counted.
      for (const name of ["\ud800", "ok\udfff"]) {
        const lone = yield* op("get", { namespace, key: "cfg", agent: name })
        expectError(lone, 422, "ValidationError")
        expect(lone.body.detail).toContain("agent")
      }
    }), timeout)

  it.effect("two PUTs racing with one _rev: exactly one 200 and one 409", () =>
    Effect.gen(function*() {
      const namespace = ns("race")
      const first = yield* raw("PUT", recordPath(namespace, "k"), { value: 0 })
      const results = yield* Effect.all(
        [1, 2].map((value) => raw("PUT", recordPath(namespace, "k"), { value, _rev: first.body._rev })),
        { concurrency: "unbounded" }
      )
      expect(results.map((r) => r.status).sort()).toEqual([200, 409])
    }), timeout)

  it.effect("two users over HTTP: neither sees, lists, counts, deletes nor clears the other's records", () =>
    Effect.gen(function*() {
      const namespace = ns("users")
      const put = (user: string, key: string, value: unknown) => raw("PUT", recordPath(namespace, key), { value }, undefined, as(user))
      const get = (user: string, path: string) => raw("GET", path, undefined, undefined, as(user))
      expect((yield* put("alice", "diary", "alice's")).body.userId).toBe("alice")
      expectError(yield* get("bob", recordPath(namespace, "diary")), 404)
      expect((yield* get("bob", `/data-store/namespaces/${enc(namespace)}/records`)).body).toEqual([])
      expect((yield* get("bob", `/data-store/namespaces/${enc(namespace)}`)).body.recordCount).toBe(0)
      expect((yield* get("bob", "/data-store/namespaces")).body.namespaces.some((n: any) => n.namespace === namespace)).toBe(false)
      expectError(yield* raw("DELETE", recordPath(namespace, "diary"), undefined, undefined, as("bob")), 404)
      expect((yield* raw("DELETE", `/data-store/namespaces/${enc(namespace)}`, undefined, undefined, as("bob"))).body.deletedCount).toBe(0)
      expect((yield* op("getAll", { namespace, agent: "spy" }, "bob")).body.records).toEqual([])
      expect((yield* op("getMany", { namespace, keys: ["diary"], agent: "spy" }, "bob")).body.records).toEqual([])
      expect((yield* put("bob", "diary", "bob's")).body.value).toBe("bob's")
      expect((yield* get("alice", recordPath(namespace, "diary"))).body.value).toBe("alice's")
      // A user id with ':' cannot reach into another user's ids.
      expect((yield* put("alice:x", "k", "colon")).status).toBe(200)
      expect((yield* raw("PUT", `/data-store/namespaces/${enc(`x:${namespace}`)}/records/k`, { value: "no colon" }, undefined, as("alice"))).status).toBe(200)
      expect((yield* get("alice:x", recordPath(namespace, "k"))).body.value).toBe("colon")
    }), timeout)

  it.effect("paging with limit and cursor; an unpaged list of more than a page streams every record once", () =>
    Effect.gen(function*() {
      const namespace = ns("paged")
      const total = 1_100
      for (let start = 0; start < total; start += 550) {
        const items = Array.from({ length: 550 }, (_, i) => ({ key: `r/${start + i}`, value: { n: start + i } }))
        expect((yield* op("setMany", { namespace, items, agent: "loader" })).body.count).toBe(550)
      }
      const base = `/data-store/namespaces/${enc(namespace)}/records`
      const seen: Array<string> = []
      let cursor: string | undefined
      for (let pages = 0; pages < 20; pages++) {
        const res = yield* raw("GET", `${base}?limit=100${cursor === undefined ? "" : `&cursor=${enc(cursor)}`}`)
        expect(res.status).toBe(200)
        expect(res.body.length).toBeLessThanOrEqual(100)
        seen.push(...res.body.map((r: any) => r.key))
        cursor = res.headers?.["x-next-cursor"] as string | undefined
        if (cursor === undefined) break
      }
      expect(new Set(seen).size).toBe(total)
      expect(seen.length).toBe(total)
      const all = yield* raw("GET", base)
      expect(all.status).toBe(200)
      expect(all.body.length).toBe(total)
      expect(new Set(all.body.map((r: any) => r.key)).size).toBe(total)
      const everything = yield* op("getAll", { namespace, agent: "reader" })
      expect(everything.body.records.length).toBe(total)
      expect(everything.body.nextCursor).toBeNull()
      expectError(yield* raw("GET", `${base}?limit=0`), 422, "ValidationError")
      expectError(yield* raw("GET", `${base}?limit=5000`), 422, "ValidationError")
      // A limit is written as a whole number, nothing else that Number() would read as one.
      for (const limit of ["0x10", "1e2", "%2B5", "%205", "5.0", "abc"]) {
        const res = yield* raw("GET", `${base}?limit=${limit}`)
        expectError(res, 422, "ValidationError")
        expect(res.body.detail).toContain("limit")
      }
      expectError(yield* raw("GET", `${base}?limit=10&cursor=`), 400)
      // A page's cursor without a limit would be the whole list again from its first record: refused, by name.
      const first = yield* raw("GET", `${base}?limit=100`)
      const next = first.headers?.["x-next-cursor"] as string
      for (const res of [yield* raw("GET", `${base}?cursor=${enc(next)}`), yield* op("getAll", { namespace, agent: "reader", cursor: next })]) {
        expectError(res, 422, "ValidationError")
        expect(res.body.detail).toBe("cursor is only read with a limit: send the limit of the page with it")
      }
      // A cursor docport did not make: a 400 that says so, not an empty page or a complaint about an id.
      for (const junk of ["A".repeat(800), "zzz", "{\"x\":1}", "c2hhMjU2LQ==", "%ff"]) {
        for (const res of [yield* raw("GET", `${base}?limit=10&cursor=${enc(junk)}`), yield* op("getAll", { namespace, agent: "reader", limit: 10, cursor: junk })]) {
          expectError(res, 400)
          expect(res.body.detail, junk).toContain("cursor")
          expect(res.body.detail).not.toContain("\\u0000")
        }
      }
      expect((yield* raw("DELETE", `/data-store/namespaces/${enc(namespace)}`)).body.deletedCount).toBe(total)
    }), timeout)

  it.effect("too large is 413, unstorable or malformed is 400, never a 5xx", () =>
    Effect.gen(function*() {
      const namespace = ns("bad")
      expectError(yield* raw("PUT", recordPath(namespace, "big"), { value: "x".repeat(300 * 1024) }), 413, "DocumentTooLarge")
      expectError(yield* op("setMany", { namespace, items: [{ key: "big", value: "x".repeat(300 * 1024) }], agent: "a" }), 413)
      let deep: unknown = 1
      for (let i = 0; i < 30; i++) deep = [deep]
      expectError(yield* raw("PUT", recordPath(namespace, "deep"), { value: deep }), 400)
      expectError(yield* raw("PUT", recordPath(namespace, "n"), undefined, '{"value": 1e400}'), 400)
      expectError(yield* raw("PUT", recordPath(namespace, "n"), undefined, '{"value": 1e200}'), 400)
      const malformed = yield* raw("PUT", recordPath(namespace, "m"), undefined, "{nope")
      expect(malformed.status).toBe(400)
      expect(malformed.body.detail).toBeTypeOf("string")
      const noValue = yield* raw("PUT", recordPath(namespace, "m"), { metadata: {} })
      expect(noValue.status).toBeGreaterThanOrEqual(400)
      expect(noValue.status).toBeLessThan(500)
      for (const hostile of ["..", "%2e%2e", "_design", "%00", "a%2Fb%2F..%2F..", "__name__"]) {
        for (const [method, path, body] of [
          ["GET", `/data-store/namespaces/${hostile}`, undefined],
          ["GET", `/data-store/namespaces/${hostile}/records`, undefined],
          ["DELETE", `/data-store/namespaces/${hostile}`, undefined],
          ["PUT", `/data-store/namespaces/${enc(namespace)}/records/${hostile}`, { value: 1 }],
          ["GET", `/data-store/namespaces/${enc(namespace)}/records/${hostile}`, undefined]
        ] as const) {
          const res = yield* raw(method, path, body)
          expect(res.status, `${method} ${path}`).toBeLessThan(500)
        }
      }
    }), timeout)
}
