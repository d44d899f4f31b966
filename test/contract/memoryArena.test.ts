import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as MemoryDatabase from "../../src/adapters/MemoryDatabase.js"
import { DatabaseService } from "../../src/ports/DatabaseService.js"
import { makeDatabaseService } from "../../src/ports/makeDatabaseService.js"
import { fullCollection } from "../support/fullCollection.js"
import { databaseContract } from "./DatabaseContract.js"

// Every read parsed from the arena and records moved by compaction all the time: the contract
// must not see the difference.
const tiny = { chunkBytes: 512, cacheBytes: 0 }
databaseContract(
  "memory",
  Layer.effect(DatabaseService, Effect.sync(() => makeDatabaseService(MemoryDatabase.makeRaw(tiny)))),
  60_000,
  " (512-byte chunks, nothing cached)"
)

const memory = (options: MemoryDatabase.MemoryOptions) => {
  const { raw, stats } = MemoryDatabase.makeMemory(options)
  return { db: makeDatabaseService(raw), stats }
}

const collect = (): void => {
  fullCollection()
  fullCollection()
}

describe("the memory backend's documents", () => {
  it.effect("keep their contents and revisions through compaction, and the arena holds at most about twice what is live", () =>
    Effect.gen(function*() {
      const { db, stats } = memory({ chunkBytes: 2048, cacheBytes: 1024 })
      const last = new Map<string, { rev: string; body: Record<string, unknown> }>()
      const write = (n: number, round: number) =>
        Effect.gen(function*() {
          const id = `doc-${n}`
          const body = { n, round, text: "é".repeat((n * 7 + round) % 50), list: [round, { n }] }
          const { rev } = yield* db.save("things", id, body)
          last.set(id, { rev, body })
        })
      for (let n = 0; n < 1000; n++) yield* write(n, 0)
      // Nine in ten deleted: every chunk of the first thousand is left a tenth live.
      for (let n = 0; n < 1000; n++) {
        if (n % 10 === 0) continue
        yield* db.delete("things", `doc-${n}`)
        last.delete(`doc-${n}`)
      }
      // Then a few documents rewritten over and over, filling chunk after chunk.
      for (let round = 1; round <= 60; round++) for (let n = 0; n < 1000; n += 100) yield* write(n, round)
      for (const [id, { body, rev }] of last) {
        expect(yield* db.get("things", id)).toEqual({ ...body, _id: id, _rev: rev })
      }
      const all = yield* db.listAll("things")
      expect(all.length).toBe(last.size)
      const { arena } = stats()
      expect(arena.liveBytes).toBeGreaterThan(0)
      expect(arena.bytes).toBeLessThanOrEqual(2 * arena.liveBytes + 3 * 2048)
    }))

  it.effect("read last stay parsed only within the cache's budget", () =>
    Effect.gen(function*() {
      const { db, stats } = memory({ cacheBytes: 2000 })
      for (let n = 0; n < 100; n++) yield* db.save("things", `doc-${n}`, { text: "x".repeat(80) })
      for (let n = 0; n < 100; n++) expect((yield* db.get("things", `doc-${n}`)).text).toBe("x".repeat(80))
      expect(stats().cachedBytes).toBeGreaterThan(1500)
      expect(stats().cachedBytes).toBeLessThanOrEqual(2000)
    }))

  it.effect("read by a scan fill at most a quarter of the cache, and a scan lets go of no document read by id", () =>
    Effect.gen(function*() {
      const { db, stats } = memory({ cacheBytes: 2000 })
      for (let n = 0; n < 100; n++) yield* db.save("things", `doc-${n}`, { text: "x".repeat(80) })
      yield* db.get("things", "doc-0")
      const one = stats().cachedBytes
      expect(one).toBeGreaterThan(0)
      expect((yield* db.listAll("things")).length).toBe(100)
      expect(stats().cachedBytes).toBeGreaterThan(one)
      expect(stats().cachedBytes).toBeLessThanOrEqual(500)
      expect((yield* db.find("things", { text: "x".repeat(80) })).length).toBe(100)
      expect(stats().cachedBytes).toBeLessThanOrEqual(500)
      // doc-0, the oldest cached and the first a scan reads, is still cached: deleting it gives back its bytes.
      const before = stats().cachedBytes
      yield* db.delete("things", "doc-0")
      expect(before - stats().cachedBytes).toBe(one)
    }))

  it.effect("leave the cache when rewritten, so that no rewrite's body stays on the heap; the next read parses the new version", () =>
    Effect.gen(function*() {
      const { db, stats } = memory({})
      yield* db.save("things", "a", { text: "one" })
      yield* db.save("things", "b", { text: "bee" })
      expect((yield* db.get("things", "a")).text).toBe("one")
      expect((yield* db.get("things", "b")).text).toBe("bee")
      const both = stats().cachedBytes
      yield* db.save("things", "a", { text: "two" })
      expect(stats().cachedBytes).toBeLessThan(both)
      expect(stats().cachedBytes).toBeGreaterThan(0)
      const read = yield* db.get("things", "a")
      expect(read.text).toBe("two")
      expect(read._rev.startsWith("2-")).toBe(true)
      expect(stats().cachedBytes).toBe(both)
    }))

  it.effect("are frozen when read, cached or not: a caller cannot change what is stored", () =>
    Effect.gen(function*() {
      for (const cacheBytes of [0, 1_000_000]) {
        const { db } = memory({ cacheBytes })
        yield* db.save("things", "a", { nested: { value: 1 } })
        const read = yield* db.get("things", "a")
        expect(() => {
          ;(read.nested as { value: number }).value = 2
        }).toThrow(TypeError)
        expect((yield* db.get("things", "a")).nested).toEqual({ value: 1 })
      }
    }))

  it.effect("match a selector only on the field itself, not where its value's text appears elsewhere", () =>
    Effect.gen(function*() {
      const { db } = memory({ cacheBytes: 0 })
      yield* db.save("things", "field", { owner: "x" })
      yield* db.save("things", "nested", { inner: { owner: "x" } })
      yield* db.save("things", "other", { other: "x", owner: "y" })
      yield* db.save("things", "text", { owner: "\"x\"" })
      const found = yield* db.find("things", { owner: "x" })
      expect(found.map((doc) => doc._id)).toEqual(["field"])
      expect((yield* db.find("things", { owner: "x" }, { limit: 5 })).map((doc) => doc._id)).toEqual(["field"])
    }))

  it.effect("are kept outside V8's heap and its external memory: 20 MB of documents add less than a fifth of that to the heap, and nothing V8 counts towards scheduling a full collection", () =>
    Effect.gen(function*() {
      const { db, stats } = memory({})
      collect()
      const before = process.memoryUsage().heapUsed
      const externalBefore = process.memoryUsage().external
      const text = "y".repeat(1000)
      for (let n = 0; n < 20_000; n++) yield* db.save("things", `doc-${n}`, { n, text })
      collect()
      const grown = process.memoryUsage().heapUsed - before
      expect(stats().arena.liveBytes).toBeGreaterThan(20_000_000)
      expect(grown).toBeLessThan(4_000_000)
      expect(process.memoryUsage().external - externalBefore).toBeLessThan(1_000_000)
      // Still there, and readable.
      expect((yield* db.get("things", "doc-19999")).n).toBe(19_999)
    }), 60_000)
})
