import { expect } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { DATA_STORE_ACCESS } from "../../src/domain/AccessStats.js"
import { DATA_STORE } from "../../src/domain/DataRecord.js"
import * as DataStore from "../../src/domain/DataStore.js"
import { recordId } from "../../src/domain/DataStoreIds.js"
import { DatabaseService } from "../../src/ports/DatabaseService.js"
import { type Methods, ns, storedCount } from "./DataStoreDomain.js"

/** Another data store over the same database, as another docport process would hold it. */
const anotherProcess = Effect.gen(function*() {
  const db = yield* DatabaseService
  const context = yield* Layer.build(DataStore.layerWith({ delay: "1 hour" }).pipe(Layer.provide(Layer.succeed(DatabaseService, db))))
  return context.unsafeMap.get(DataStore.DataStore.key) as DataStore.DataStoreShape
})

/** Access statistics stored apart from the records: what blind writes, deletes and old documents do to them. */
export const accessCases = (it: Methods, timeout: number) => {
  it.scoped("blind setMany racing three processes' flushes of first counts loses no increment", () =>
    Effect.gen(function*() {
      const store = yield* DataStore.DataStore
      const stores = [store, yield* anotherProcess, yield* anotherProcess]
      const namespace = ns("race-many")
      const keys = Array.from({ length: 40 }, (_, i) => `r/${i}`)
      yield* store.setMany("u1", namespace, keys.map((key) => ({ key, value: 0 })), "loader")
      const created = yield* store.getMany("u1", namespace, keys)
      // No statistics exist yet: every process's flush creates them, racing the others.
      yield* Effect.all(
        stores.flatMap((s) => [1, 2, 3].map(() => s.getMany("u1", namespace, keys, "reader"))),
        { concurrency: "unbounded" }
      )
      yield* Effect.all([
        ...stores.map((s) => s.flushAccess),
        ...[1, 2, 3, 4].map((round) => store.setMany("u1", namespace, keys.map((key) => ({ key, value: round }))))
      ], { concurrency: "unbounded" })
      yield* Effect.forEach(stores, (s) => s.flushAccess, { discard: true })
      const after = yield* store.getMany("u1", namespace, keys)
      expect(after.map((r) => r.accessCount)).toEqual(keys.map(() => 9))
      expect(after.map((r) => r.lastAccessedByAgent)).toEqual(keys.map(() => "reader"))
      expect(after.every((r) => [1, 2, 3, 4].includes(r.value as number))).toBe(true)
      expect(after.map((r) => r.createdAt)).toEqual(created.map((r) => r.createdAt))
      expect(after.map((r) => r.createdByAgent)).toEqual(keys.map(() => "loader"))
    }), timeout)

  it.effect("records stored with counts inline (Gofannon's shape) keep them, and add what is counted since", () =>
    Effect.gen(function*() {
      const store = yield* DataStore.DataStore
      const db = yield* DatabaseService
      const namespace = ns("legacy")
      const old = "2025-01-02T03:04:05.000Z"
      yield* db.save(DATA_STORE, recordId("u1", namespace, "old"), {
        userId: "u1",
        namespace,
        key: "old",
        value: 1,
        metadata: {},
        createdByAgent: "gofannon",
        lastAccessedByAgent: "gofannon",
        accessCount: 5,
        createdAt: old,
        updatedAt: old,
        lastAccessedAt: old
      })
      expect(yield* store.get("u1", namespace, "old")).toMatchObject({ accessCount: 5, lastAccessedByAgent: "gofannon", lastAccessedAt: old })
      yield* store.get("u1", namespace, "old", "reader")
      yield* store.getMany("u1", namespace, ["old"], "reader")
      yield* store.flushAccess
      expect(yield* store.get("u1", namespace, "old")).toMatchObject({ accessCount: 7, lastAccessedByAgent: "reader" })
      // Written over without a revision, in bulk and alone: the counts and the creation stay.
      yield* store.setMany("u1", namespace, [{ key: "old", value: 2 }])
      expect(yield* store.set("u1", namespace, { key: "old", value: 3 })).toMatchObject({ accessCount: 7, createdAt: old })
      const [listed] = yield* store.page("u1", namespace, { limit: 10 }).pipe(Effect.map((p) => p.records))
      expect(listed).toMatchObject({ value: 3, accessCount: 7, lastAccessedByAgent: "reader", createdByAgent: "gofannon" })
      expect((yield* store.namespaceStats("u1", namespace)).agents).toEqual(["gofannon", "reader"])
    }), timeout)

  it.effect("a record deleted and created again starts from zero, even with reads of the old one still to flush", () =>
    Effect.gen(function*() {
      const store = yield* DataStore.DataStore
      const db = yield* DatabaseService
      const namespace = ns("again")
      const first = yield* store.set("u1", namespace, { key: "k", value: 1 })
      yield* store.get("u1", namespace, "k", "reader")
      yield* store.flushAccess
      expect(yield* storedCount(db, first._id)).toBe(1)
      yield* store.get("u1", namespace, "k", "reader")
      expect(yield* store.delete("u1", namespace, "k")).toBe(true)
      expect((yield* db.getMany(DATA_STORE_ACCESS, [first._id])).get(first._id)).toBeNull()
      yield* store.set("u1", namespace, { key: "k", value: 2 })
      yield* store.flushAccess
      expect(yield* store.get("u1", namespace, "k")).toMatchObject({ value: 2, accessCount: 0 })
      // Bulk deletes and clear remove the statistics too.
      yield* store.setMany("u1", namespace, [{ key: "a", value: 1 }, { key: "b", value: 1 }])
      yield* store.getMany("u1", namespace, ["a", "b", "k"], "reader")
      yield* store.flushAccess
      const ids = ["a", "b", "k"].map((key) => recordId("u1", namespace, key))
      expect(yield* store.deleteMany("u1", namespace, ["a"])).toBe(1)
      expect([...(yield* db.getMany(DATA_STORE_ACCESS, ids)).values()].map((d) => d === null)).toEqual([true, false, false])
      expect(yield* store.clear("u1", namespace)).toBe(2)
      expect([...(yield* db.getMany(DATA_STORE_ACCESS, ids)).values()].every((d) => d === null)).toBe(true)
    }), timeout)
}
