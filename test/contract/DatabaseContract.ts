import { expect, layer } from "@effect/vitest"
import { Chunk, Effect, Either, Layer, Schedule, Stream } from "effect"
import { randomUUID } from "node:crypto"
import { DatabaseService } from "../../src/ports/DatabaseService.js"
import type { DocumentPage } from "../../src/ports/Document.js"
import { MAX_DEPTH, MAX_DOCUMENT_BYTES, MAX_VALUES } from "../../src/ports/DocumentLimits.js"

/** A fresh collection per test, so tests never see each other's documents, even on a shared server. */
export const freshCollection = (): string => `t${randomUUID().replaceAll("-", "").slice(0, 20)}`

const errorTag = <A, E extends { readonly _tag: string }, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(Effect.either(effect), (result) => (Either.isLeft(result) ? result.left._tag : "success"))

const nestMaps = (levels: number): unknown => (levels === 0 ? "bottom" : { level: nestMaps(levels - 1) })
const nestArrays = (levels: number): unknown => (levels === 0 ? "bottom" : [nestArrays(levels - 1)])

const sortById = <D extends { readonly _id: string }>(docs: ReadonlyArray<D>) =>
  [...docs].sort((a, b) => a._id.localeCompare(b._id))

/**
 * The port's contract, written once and run against every backend. `name` is the backend's
 * provider; `dbLayer` builds it (once for the whole suite); `variant` tells one setting of a
 * backend from another in the suite's title.
 */
export const databaseContract = <E>(name: string, dbLayer: Layer.Layer<DatabaseService, E>, timeout = 60_000, variant = "") =>
  layer(dbLayer, { timeout: "120 seconds", excludeTestServices: true })(`DatabaseService contract: ${name}${variant}`, (it) => {
    it.effect("ping succeeds and names the provider", () =>
      Effect.gen(function*() {
        const db = yield* DatabaseService
        yield* db.ping
        expect(db.provider).toBe(name)
      }), timeout)

    it.effect("get of a missing document or an unknown collection fails with NotFound", () =>
      Effect.gen(function*() {
        const db = yield* DatabaseService
        const c = freshCollection()
        const error = yield* Effect.flip(db.get(c, "nope"))
        expect(error._tag).toBe("NotFound")
        expect(error).toMatchObject({ collection: c, id: "nope" })
        yield* db.save(c, "other", { a: 1 })
        expect(yield* errorTag(db.get(c, "nope"))).toBe("NotFound")
      }), timeout)

    it.effect("save without _rev creates, then replaces the whole document (last writer wins)", () =>
      Effect.gen(function*() {
        const db = yield* DatabaseService
        const c = freshCollection()
        const first = yield* db.save(c, "a1", { name: "one", extra: true })
        expect(first.id).toBe("a1")
        expect(typeof first.rev).toBe("string")
        const got = yield* db.get(c, "a1")
        expect(got).toEqual({ _id: "a1", _rev: first.rev, name: "one", extra: true })
        const second = yield* db.save(c, "a1", { name: "two" })
        expect(second.rev).not.toBe(first.rev)
        expect(yield* db.get(c, "a1")).toEqual({ _id: "a1", _rev: second.rev, name: "two" })
      }), timeout)

    it.effect("every write makes a new revision, also after delete and re-create", () =>
      Effect.gen(function*() {
        const db = yield* DatabaseService
        const c = freshCollection()
        const revs = new Set<string>()
        for (let i = 0; i < 3; i++) revs.add((yield* db.save(c, "r", { i })).rev)
        yield* db.delete(c, "r")
        const recreated = yield* db.save(c, "r", { i: 0 })
        revs.add(recreated.rev)
        expect(revs.size).toBe(4)
        // A revision from before the delete must not match the new document.
        const stale = [...revs][0]!
        expect(yield* errorTag(db.save(c, "r", { i: 9 }, { expectedRev: stale }))).toBe("Conflict")
      }), timeout)

    it.effect("save with the current _rev succeeds; a stale one or a vanished document is a Conflict", () =>
      Effect.gen(function*() {
        const db = yield* DatabaseService
        const c = freshCollection()
        const v1 = yield* db.save(c, "d", { n: 1 })
        const v2 = yield* db.save(c, "d", { n: 2, _rev: v1.rev })
        expect(v2.rev).not.toBe(v1.rev)
        const conflict = yield* Effect.flip(db.save(c, "d", { n: 3, _rev: v1.rev }))
        expect(conflict).toMatchObject({ _tag: "Conflict", collection: c, id: "d" })
        expect((yield* db.get(c, "d")).n).toBe(2)
        // the option form, and the option winning over the body
        const v3 = yield* db.save(c, "d", { n: 3, _rev: "bogus" }, { expectedRev: v2.rev })
        expect((yield* db.get(c, "d"))._rev).toBe(v3.rev)
        expect(yield* errorTag(db.save(c, "gone", { n: 1 }, { expectedRev: v1.rev }))).toBe("Conflict")
        expect(yield* errorTag(db.get(c, "gone"))).toBe("NotFound")
      }), timeout)

    it.effect("create-only succeeds once and then fails with Conflict, leaving the first version", () =>
      Effect.gen(function*() {
        const db = yield* DatabaseService
        const c = freshCollection()
        yield* db.save(c, "once", { who: "first" }, { mode: "create" })
        const error = yield* Effect.flip(db.save(c, "once", { who: "second" }, { mode: "create" }))
        expect(error._tag).toBe("Conflict")
        expect((yield* db.get(c, "once")).who).toBe("first")
      }), timeout)

    it.effect("delete removes; missing is NotFound; a stale revision is a Conflict and keeps the document", () =>
      Effect.gen(function*() {
        const db = yield* DatabaseService
        const c = freshCollection()
        const v1 = yield* db.save(c, "x", { n: 1 })
        const v2 = yield* db.save(c, "x", { n: 2 })
        expect(yield* errorTag(db.delete(c, "x", { expectedRev: v1.rev }))).toBe("Conflict")
        expect((yield* db.get(c, "x"))._rev).toBe(v2.rev)
        yield* db.delete(c, "x", { expectedRev: v2.rev })
        expect(yield* errorTag(db.get(c, "x"))).toBe("NotFound")
        expect(yield* errorTag(db.delete(c, "x"))).toBe("NotFound")
        yield* db.save(c, "y", { n: 1 })
        yield* db.delete(c, "y")
        expect(yield* errorTag(db.get(c, "y"))).toBe("NotFound")
        expect(yield* errorTag(db.delete(freshCollection(), "y"))).toBe("NotFound")
      }), timeout)

    it.effect("listAll returns every document, and [] for an unknown collection", () =>
      Effect.gen(function*() {
        const db = yield* DatabaseService
        const c = freshCollection()
        expect(yield* db.listAll(c)).toEqual([])
        for (const id of ["b", "a", "c"]) yield* db.save(c, id, { id })
        const all = sortById(yield* db.listAll(c))
        expect(all.map((d) => d._id)).toEqual(["a", "b", "c"])
        expect(all.every((d) => typeof d._rev === "string" && d.id === d._id)).toBe(true)
      }), timeout)

    it.effect("stream returns every document of a collection larger than one page, exactly once", () =>
      Effect.gen(function*() {
        const db = yield* DatabaseService
        const c = freshCollection()
        const ids = Array.from({ length: 53 }, (_, i) => `doc-${String(i).padStart(3, "0")}`)
        const results = yield* db.saveMany(c, ids.map((id) => ({ _id: id, payload: id })))
        expect(results.every((r) => r.ok)).toBe(true)
        const streamed = Chunk.toReadonlyArray(yield* Stream.runCollect(db.stream(c, { pageSize: 10 })))
        expect(streamed.map((d) => d._id).sort()).toEqual(ids)
        expect(streamed.every((d) => d.payload === d._id)).toBe(true)
        const onePage = yield* Stream.runCollect(db.stream(c, { pageSize: 1000 }))
        expect(onePage.length).toBe(53)
        const exact = yield* Stream.runCollect(db.stream(c, { pageSize: 53 }))
        expect(exact.length).toBe(53)
        expect(Chunk.size(yield* Stream.runCollect(db.stream(freshCollection(), { pageSize: 5 })))).toBe(0)
      }), timeout)

    it.effect("pages hold stream's documents in its order, at most a page size each, the last without a next", () =>
      Effect.gen(function*() {
        const db = yield* DatabaseService
        const c = freshCollection()
        const ids = Array.from({ length: 23 }, (_, i) => `p-${String(i).padStart(2, "0")}`)
        yield* db.saveMany(c, ids.map((id) => ({ _id: id, payload: id })))
        const streamed = Chunk.toReadonlyArray(yield* Stream.runCollect(db.stream(c, { pageSize: 10 }))).map((d) => d._id)
        const sizes: Array<number> = []
        const paged: Array<string> = []
        let page: DocumentPage | undefined = yield* db.pages(c, { pageSize: 10 })
        while (page !== undefined) {
          sizes.push(page.items.length)
          paged.push(...page.items.map((d) => d._id))
          expect(page.items.every((d) => d.payload === d._id && typeof d._rev === "string")).toBe(true)
          page = page.next === undefined ? undefined : yield* page.next
        }
        expect(paged).toEqual(streamed)
        expect([...paged].sort()).toEqual(ids)
        expect(sizes.every((size) => size <= 10)).toBe(true)
        expect(sizes.length).toBeGreaterThanOrEqual(3)
        const whole = yield* db.pages(c, { pageSize: 100 })
        expect(whole.items.map((d) => d._id)).toEqual(streamed)
        expect(whole.next).toBeUndefined()
        const empty = yield* db.pages(freshCollection())
        expect(empty.items).toEqual([])
        expect(empty.next).toBeUndefined()
      }), timeout)

    it.effect("stream is lazy: taking a few documents does not read the whole collection", () =>
      Effect.gen(function*() {
        const db = yield* DatabaseService
        const c = freshCollection()
        yield* db.saveMany(c, Array.from({ length: 30 }, (_, i) => ({ _id: `k${i}`, i })))
        const firstFive = yield* Stream.runCollect(Stream.take(db.stream(c, { pageSize: 5 }), 5))
        expect(firstFive.length).toBe(5)
      }), timeout)

    it.effect("find matches equality on every selector field, projects fields and honours limit", () =>
      Effect.gen(function*() {
        const db = yield* DatabaseService
        const c = freshCollection()
        expect(yield* db.find(c, { kind: "x" })).toEqual([])
        yield* db.saveMany(c, [
          { _id: "1", kind: "agent", team: "red", score: 1, live: true, note: null },
          { _id: "2", kind: "agent", team: "blue", score: 2, live: false, note: "n" },
          { _id: "3", kind: "agent", team: "red", score: 3, live: true, note: null },
          { _id: "4", kind: "demo", team: "red", score: 1, live: true, note: null }
        ])
        const agents = sortById(yield* db.find(c, { kind: "agent" }))
        expect(agents.map((d) => d._id)).toEqual(["1", "2", "3"])
        expect(agents[0]).toMatchObject({ _id: "1", kind: "agent", team: "red", score: 1 })
        const redAgents = sortById(yield* db.find(c, { kind: "agent", team: "red" }))
        expect(redAgents.map((d) => d._id)).toEqual(["1", "3"])
        expect(sortById(yield* db.find(c, { score: 1 })).map((d) => d._id)).toEqual(["1", "4"])
        expect(sortById(yield* db.find(c, { live: false })).map((d) => d._id)).toEqual(["2"])
        expect(sortById(yield* db.find(c, { note: null })).map((d) => d._id)).toEqual(["1", "3", "4"])
        expect(yield* db.find(c, { kind: "nothing" })).toEqual([])
        const projected = sortById(yield* db.find(c, { team: "red" }, { fields: ["score"] }))
        expect(projected.length).toBe(3)
        for (const doc of projected) {
          expect(Object.keys(doc).sort()).toEqual(["_id", "_rev", "score"])
          expect(typeof doc._rev).toBe("string")
        }
        const limited = yield* db.find(c, { kind: "agent" }, { limit: 2 })
        expect(limited.length).toBe(2)
        expect(limited.every((d) => d.kind === "agent")).toBe(true)
      }), timeout)

    it.effect("find without limit returns every match of a large collection", () =>
      Effect.gen(function*() {
        const db = yield* DatabaseService
        const c = freshCollection()
        yield* db.saveMany(c, Array.from({ length: 120 }, (_, i) => ({ _id: `m${i}`, even: i % 2 === 0 })))
        expect((yield* db.find(c, { even: true })).length).toBe(60)
        expect((yield* db.find(c, { even: true }, { limit: 55 })).length).toBe(55)
      }), timeout)

    it.effect("find pages with limit and after: every match exactly once, also past a deleted page end", () =>
      Effect.gen(function*() {
        const db = yield* DatabaseService
        const c = freshCollection()
        yield* db.ensureIndex(c, ["owner", "group"])
        const docs = Array.from({ length: 130 }, (_, i) => ({
          _id: `p:${String(i).padStart(3, "0")}`,
          owner: i % 3 === 0 ? "other" : "me",
          group: i % 2 === 0 ? "even" : "odd",
          n: i
        }))
        yield* db.saveMany(c, docs)
        const expected = docs.filter((d) => d.owner === "me" && d.group === "even").map((d) => d._id).sort()
        const seen: Array<string> = []
        let after: string | undefined
        let deleted = false
        for (let pages = 0; pages < 100; pages++) {
          const page = yield* db.find(c, { owner: "me", group: "even" }, { limit: 7, after, fields: ["n"] })
          expect(page.length).toBeLessThanOrEqual(7)
          for (const doc of page) {
            expect(Object.keys(doc).sort()).toEqual(["_id", "_rev", "n"])
            seen.push(doc._id)
          }
          if (page.length < 7) break
          after = page.at(-1)!._id
          // The document a cursor names may vanish before the next page is asked for.
          if (!deleted) {
            yield* db.delete(c, after)
            expected.splice(expected.indexOf(after), 1)
            seen.splice(seen.indexOf(after), 1)
            deleted = true
          }
        }
        expect(seen.length).toBe(new Set(seen).size)
        expect([...seen].sort()).toEqual(expected)
        // Every match after the first two pages, and nothing after the last one.
        const firstTwo = yield* db.find(c, { owner: "me", group: "even" }, { limit: 14 })
        const rest = yield* db.find(c, { owner: "me", group: "even" }, { after: firstTwo.at(-1)!._id })
        expect(firstTwo.length + rest.length).toBe(expected.length)
        expect(yield* db.find(freshCollection(), { owner: "me" }, { after: "x", limit: 3 })).toEqual([])
        expect(yield* errorTag(db.find(c, { owner: "me" }, { after: "_design/x" }))).toBe("InvalidName")
        expect(yield* errorTag(db.find(c, { owner: "me" }, { after: "a/b" }))).toBe("InvalidName")
      }), timeout)

    it.effect("find with an empty selector pages through the whole collection", () =>
      Effect.gen(function*() {
        const db = yield* DatabaseService
        const c = freshCollection()
        yield* db.saveMany(c, Array.from({ length: 45 }, (_, i) => ({ _id: `e${i}`, i })))
        const seen: Array<string> = []
        let after: string | undefined
        for (let pages = 0; pages < 20; pages++) {
          const page = yield* db.find(c, {}, { limit: 10, after })
          seen.push(...page.map((d) => d._id))
          if (page.length < 10) break
          after = page.at(-1)!._id
        }
        expect(seen.sort()).toEqual(Array.from({ length: 45 }, (_, i) => `e${i}`).sort())
      }), timeout)

    it.effect("ensureIndex is idempotent and find still works after it", () =>
      Effect.gen(function*() {
        const db = yield* DatabaseService
        const c = freshCollection()
        yield* db.ensureIndex(c, ["agentId"])
        yield* db.ensureIndex(c, ["agentId"])
        yield* db.save(c, "d1", { agentId: "a" })
        yield* db.save(c, "d2", { agentId: "b" })
        yield* db.ensureIndex(c, ["agentId"])
        expect((yield* db.find(c, { agentId: "a" })).map((d) => d._id)).toEqual(["d1"])
      }), timeout)

    it.effect("getMany maps every id to its document or null", () =>
      Effect.gen(function*() {
        const db = yield* DatabaseService
        const c = freshCollection()
        expect((yield* db.getMany(c, [])).size).toBe(0)
        const unknown = yield* db.getMany(freshCollection(), ["a"])
        expect(unknown.get("a")).toBeNull()
        yield* db.save(c, "a", { v: "A" })
        yield* db.save(c, "b", { v: "B" })
        const got = yield* db.getMany(c, ["a", "missing", "b"])
        expect(got.size).toBe(3)
        expect(got.get("a")).toMatchObject({ _id: "a", v: "A" })
        expect(got.get("b")).toMatchObject({ _id: "b", v: "B" })
        expect(got.get("missing")).toBeNull()
        expect(typeof got.get("a")?._rev).toBe("string")
      }), timeout)

    it.effect("saveMany reports one result per document, in order: created, replaced, conflicting, invalid", () =>
      Effect.gen(function*() {
        const db = yield* DatabaseService
        const c = freshCollection()
        const existing = yield* db.save(c, "old", { v: 0 })
        const stale = yield* db.save(c, "stale", { v: 0 })
        yield* db.save(c, "stale", { v: 1 })
        const results = yield* db.saveMany(c, [
          { _id: "new", v: 1 },
          { _id: "old", _rev: existing.rev, v: 2 },
          { _id: "stale", _rev: stale.rev, v: 3 },
          { _id: "_bad", v: 4 },
          { _id: "ghost", _rev: existing.rev, v: 5 }
        ])
        expect(results.map((r) => [r.id, r.ok])).toEqual([
          ["new", true],
          ["old", true],
          ["stale", false],
          ["_bad", false],
          ["ghost", false]
        ])
        expect(results[2]).toMatchObject({ ok: false, error: "conflict" })
        expect(results[3]).toMatchObject({ ok: false, error: "invalid" })
        expect(results[4]).toMatchObject({ ok: false, error: "conflict" })
        const created = results[0]!
        expect(created.ok && (yield* db.get(c, "new"))._rev === created.rev).toBe(true)
        expect((yield* db.get(c, "old")).v).toBe(2)
        expect((yield* db.get(c, "stale")).v).toBe(1)
        expect(yield* errorTag(db.get(c, "ghost"))).toBe("NotFound")
        expect(yield* db.saveMany(c, [])).toEqual([])
      }), timeout)

    it.effect("saveMany in create mode writes only the ids nobody holds; each taken id is a conflict result", () =>
      Effect.gen(function*() {
        const db = yield* DatabaseService
        const c = freshCollection()
        const taken = yield* db.save(c, "taken", { v: 0 })
        yield* db.save(c, "gone", { v: 0 })
        yield* db.delete(c, "gone")
        const docs = [
          ...Array.from({ length: 30 }, (_, i) => ({ _id: `fresh${i}`, v: i })),
          { _id: "taken", v: 1 },
          { _id: "gone", v: 2 },
          { _id: "withRev", _rev: taken.rev, v: 3 }
        ]
        const results = yield* db.saveMany(c, docs, { mode: "create" })
        expect(results.map((r) => r.ok)).toEqual([...Array.from({ length: 30 }, () => true), false, true, false])
        expect(results[30]).toMatchObject({ id: "taken", ok: false, error: "conflict" })
        expect(results[32]).toMatchObject({ id: "withRev", ok: false, error: "conflict" })
        const after = yield* db.getMany(c, docs.map((d) => d._id))
        expect(after.get("taken")).toMatchObject({ v: 0, _rev: taken.rev })
        expect(after.get("gone")).toMatchObject({ v: 2 })
        expect(after.get("fresh7")).toMatchObject({ v: 7 })
        expect(after.get("withRev")).toBeNull()
        // Racing creators of the same ids: each id is won by exactly one of them.
        const ids = Array.from({ length: 20 }, (_, i) => `race${i}`)
        const racers = yield* Effect.all(
          [1, 2, 3].map((who) => db.saveMany(c, ids.map((id) => ({ _id: id, who })), { mode: "create" })),
          { concurrency: "unbounded" }
        )
        for (const [k, id] of ids.entries()) {
          const winners = racers.filter((r) => r[k]!.ok)
          expect(winners.length).toBe(1)
          const stored = (yield* db.get(c, id)).who
          expect(racers[stored as number - 1]![k]!.ok).toBe(true)
        }
      }), timeout)

    it.effect("saveMany without _rev replaces existing documents and creates new ones (last writer wins)", () =>
      Effect.gen(function*() {
        const db = yield* DatabaseService
        const c = freshCollection()
        const existing = Array.from({ length: 30 }, (_, i) => ({ _id: `e${i}`, v: "old", gone: true }))
        yield* db.saveMany(c, existing)
        const before = yield* db.getMany(c, existing.map((d) => d._id))
        const mixed = [
          ...existing.map((d) => ({ _id: d._id, v: "new" })),
          ...Array.from({ length: 30 }, (_, i) => ({ _id: `n${i}`, v: "new" }))
        ]
        const results = yield* db.saveMany(c, mixed)
        expect(results.every((r) => r.ok)).toBe(true)
        const after = yield* db.getMany(c, mixed.map((d) => d._id))
        for (const d of mixed) {
          const doc = after.get(d._id)
          expect(doc).toMatchObject({ _id: d._id, v: "new" })
          expect(doc).not.toHaveProperty("gone")
          const old = before.get(d._id)
          if (old) expect(doc!._rev).not.toBe(old._rev)
        }
      }), timeout)

    it.effect("deleteMany reports one result per id; a missing id counts as deleted", () =>
      Effect.gen(function*() {
        const db = yield* DatabaseService
        const c = freshCollection()
        yield* db.saveMany(c, [{ _id: "a" }, { _id: "b" }, { _id: "keep" }])
        const results = yield* db.deleteMany(c, ["a", "missing", "b"])
        expect(results).toEqual([{ id: "a", ok: true }, { id: "missing", ok: true }, { id: "b", ok: true }])
        expect((yield* db.listAll(c)).map((d) => d._id)).toEqual(["keep"])
        expect(yield* db.deleteMany(freshCollection(), ["x"])).toEqual([{ id: "x", ok: true }])
      }), timeout)

    it.effect("bad collection names are rejected with InvalidName before the backend sees them", () =>
      Effect.gen(function*() {
        const db = yield* DatabaseService
        for (const bad of ["", "ab", "Agents", "_users", "a/b", "with space", "x".repeat(65), "ünï"]) {
          const error = yield* Effect.flip(db.get(bad, "id"))
          expect(error._tag).toBe("InvalidName")
          expect(error.message).toContain("collection")
          expect(yield* errorTag(db.save(bad, "id", {}))).toBe("InvalidName")
          expect(yield* errorTag(db.listAll(bad))).toBe("InvalidName")
          expect(yield* errorTag(db.find(bad, {}))).toBe("InvalidName")
          expect(yield* errorTag(Stream.runCollect(db.stream(bad)))).toBe("InvalidName")
          expect(yield* errorTag(db.pages(bad))).toBe("InvalidName")
          expect(yield* errorTag(db.saveMany(bad, [{ _id: "a" }]))).toBe("InvalidName")
          expect(yield* errorTag(db.deleteMany(bad, ["a"]))).toBe("InvalidName")
          expect(yield* errorTag(db.getMany(bad, ["a"]))).toBe("InvalidName")
          expect(yield* errorTag(db.ensureIndex(bad, ["a"]))).toBe("InvalidName")
        }
      }), timeout)

    it.effect("hostile ids and field names are rejected with InvalidName", () =>
      Effect.gen(function*() {
        const db = yield* DatabaseService
        const c = freshCollection()
        for (const bad of ["", ".", "..", "_design/x", "_x", "a/b", "__name__", "x".repeat(5000), "line\nbreak"]) {
          const error = yield* Effect.flip(db.get(c, bad))
          expect(error).toMatchObject({ _tag: "InvalidName", kind: "id" })
          expect(error.message.length).toBeLessThan(300)
          expect(yield* errorTag(db.save(c, bad, { a: 1 }))).toBe("InvalidName")
          expect(yield* errorTag(db.delete(c, bad))).toBe("InvalidName")
          expect(yield* errorTag(db.getMany(c, ["ok", bad]))).toBe("InvalidName")
          const [result] = yield* db.deleteMany(c, [bad])
          expect(result).toMatchObject({ ok: false, error: "invalid" })
        }
        expect(yield* errorTag(db.save(c, "fine", { _secret: 1 }))).toBe("InvalidName")
        expect(yield* errorTag(db.find(c, { "a.b": 1 }))).toBe("InvalidName")
        expect(yield* errorTag(db.find(c, { a: 1 }, { fields: ["$where"] }))).toBe("InvalidName")
        expect(yield* errorTag(db.ensureIndex(c, ["bad field"]))).toBe("InvalidName")
        // ids that look odd but are legal everywhere round-trip
        for (const odd of ["with space", "ünïcødé-✓", "a.b", "a:b@c", "x".repeat(200), "%2F", "?q=1&x#y"]) {
          yield* db.save(c, odd, { odd })
          expect((yield* db.get(c, odd)).odd).toBe(odd)
        }
      }), timeout)

    it.effect("JSON values round-trip exactly", () =>
      Effect.gen(function*() {
        const db = yield* DatabaseService
        const c = freshCollection()
        const doc = {
          text: "héllo ✓",
          empty: "",
          int: 42,
          negative: -7,
          big: 9007199254740991,
          float: 0.1,
          tiny: 1e-7,
          precise: 123456789.123456,
          zero: 0,
          yes: true,
          no: false,
          nothing: null,
          list: [1, "two", { three: 3 }, [4], null, true, 1.5],
          emptyList: [],
          emptyMap: {},
          nested: { a: { b: { c: [{ d: "deep" }] } }, blank: "" }
        }
        yield* db.save(c, "json", doc)
        const { _id, _rev, ...body } = yield* db.get(c, "json")
        expect(body).toEqual(doc)
        const [many] = (yield* db.getMany(c, ["json"])).values()
        expect(many).toMatchObject(doc)
      }), timeout)

    it.effect("one document limit on every backend: too large, too deep or unstorable values are InvalidDocument", () =>
      Effect.gen(function*() {
        const db = yield* DatabaseService
        const c = freshCollection()
        const refused = (doc: Record<string, unknown>) => Effect.flip(db.save(c, "refused", doc))
        const tooLarge = yield* refused({ blob: "x".repeat(MAX_DOCUMENT_BYTES) })
        expect(tooLarge).toMatchObject({ _tag: "InvalidDocument", collection: c, id: "refused", limit: "size" })
        expect(yield* refused({ v: nestMaps(MAX_DEPTH + 1) })).toMatchObject({ _tag: "InvalidDocument", limit: "depth" })
        // An array directly inside an array counts two levels (Firestore stores it so).
        expect(yield* refused({ v: nestArrays(11) })).toMatchObject({ _tag: "InvalidDocument", limit: "depth" })
        // More values than Firestore indexes in one document, though well under the byte limit.
        expect(yield* refused({ list: new Array(MAX_VALUES).fill(1) })).toMatchObject({ _tag: "InvalidDocument", limit: "count" })
        for (const value of [Number.NaN, Number.POSITIVE_INFINITY, -Infinity, 1e200, 5e-324, "lone \ud800 surrogate"]) {
          expect(yield* refused({ nested: { list: [1, value] } })).toMatchObject({ _tag: "InvalidDocument", limit: "value" })
        }
        expect(yield* refused(JSON.parse(`{"nested": {"__proto__": {"x": 1}}}`))).toMatchObject({ _tag: "InvalidDocument", limit: "key" })
        expect(yield* refused({ nested: { "key \udc00": 1 } })).toMatchObject({ _tag: "InvalidDocument", limit: "key" })
        expect(yield* errorTag(db.get(c, "refused"))).toBe("NotFound")

        // Right at the limits, and keys some SDKs trip over, are stored and come back exactly.
        const edge = {
          blob: "y".repeat(MAX_DOCUMENT_BYTES - 1000),
          maps: nestMaps(MAX_DEPTH),
          arrays: nestArrays(10),
          keys: { constructor: "c", toString: "t", prototype: { hasOwnProperty: 1 } },
          numbers: [1e125, -1e-130, 9007199254740991, 0.1]
        }
        yield* db.save(c, "edge", edge)
        const { _id, _rev, ...back } = yield* db.get(c, "edge")
        expect(back).toEqual(edge)
        // The list and its elements: exactly MAX_VALUES values.
        const most = { list: new Array(MAX_VALUES - 1).fill(7) }
        yield* db.save(c, "most", most)
        expect((yield* db.get(c, "most")).list).toEqual(most.list)

        const results = yield* db.saveMany(c, [
          { _id: "ok1", v: 1 },
          { _id: "big", blob: "x".repeat(MAX_DOCUMENT_BYTES) },
          { _id: "nan", v: Number.NaN },
          { _id: "ok2", v: 2 }
        ])
        expect(results.map((r) => [r.id, r.ok ? "ok" : r.error])).toEqual([["ok1", "ok"], ["big", "invalid"], ["nan", "invalid"], ["ok2", "ok"]])
        expect((yield* db.getMany(c, ["big", "nan", "ok2"])).get("big")).toBeNull()
      }), timeout)

    it.effect("saveMany with a _rev for an id that never existed is a conflict and creates nothing (CouchDB 3.4 would create it)", () =>
      Effect.gen(function*() {
        const db = yield* DatabaseService
        const other = freshCollection()
        const { rev } = yield* db.save(other, "source", { v: 1 })
        const c = freshCollection()
        // In a collection that does not exist yet, then beside a live document.
        const [first] = yield* db.saveMany(c, [{ _id: "ghost", _rev: rev, v: 1 }])
        expect(first).toMatchObject({ id: "ghost", ok: false, error: "conflict" })
        yield* db.save(c, "live", { v: 1 })
        const [, second] = yield* db.saveMany(c, [{ _id: "live", v: 2 }, { _id: "ghost", _rev: rev, v: 2 }])
        expect(second).toMatchObject({ id: "ghost", ok: false, error: "conflict" })
        expect(yield* errorTag(db.get(c, "ghost"))).toBe("NotFound")
        expect((yield* db.listAll(c)).map((d) => d._id)).toEqual(["live"])
      }), timeout)

    it.effect("a compare-and-swap raced by 25 fibers with retry on Conflict loses no update", () =>
      Effect.gen(function*() {
        const db = yield* DatabaseService
        const c = freshCollection()
        yield* db.save(c, "counter", { value: 0 })
        const increment = Effect.gen(function*() {
          const current = yield* db.get(c, "counter")
          yield* db.save(c, "counter", { value: (current.value as number) + 1 }, { expectedRev: current._rev })
        }).pipe(
          Effect.retry({ while: (e) => e._tag === "Conflict", schedule: Schedule.spaced("5 millis"), times: 500 })
        )
        yield* Effect.all(Array.from({ length: 25 }, () => increment), { concurrency: "unbounded", discard: true })
        expect((yield* db.get(c, "counter")).value).toBe(25)
      }), timeout)

    it.effect("a create-only write raced by 10 fibers lets exactly one win", () =>
      Effect.gen(function*() {
        const db = yield* DatabaseService
        const c = freshCollection()
        const outcomes = yield* Effect.all(
          Array.from({ length: 10 }, (_, i) => errorTag(db.save(c, "prize", { winner: i }, { mode: "create" }))),
          { concurrency: "unbounded" }
        )
        expect(outcomes.filter((o) => o === "success").length).toBe(1)
        expect(outcomes.filter((o) => o === "Conflict").length).toBe(9)
      }), timeout)
  })
