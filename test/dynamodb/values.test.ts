import { GetItemCommand } from "@aws-sdk/client-dynamodb"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Either } from "effect"
import * as DynamoDbDatabase from "../../src/adapters/dynamodb/DynamoDbDatabase.js"
import { MAX_DOCUMENT_BYTES } from "../../src/ports/DocumentLimits.js"
import { heaviestAllowed } from "../support/limits.js"
import { freshCollection } from "../contract/DatabaseContract.js"
import { DUMMY_CREDENTIALS, DynamoTest, dynamoTestContext, freshTablePrefix, startDynalite } from "../support/dynalite.js"

const tagOf = <A, E extends { readonly _tag: string }, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(Effect.either(effect), (result) => (Either.isLeft(result) ? result.left._tag : "success"))

const text = (kb: number) => "x".repeat(kb * 1024)

layer(dynamoTestContext, { timeout: "120 seconds", excludeTestServices: true })("DynamoDB values and limits", (it) => {
  it.effect("numbers round-trip exactly, stored as DynamoDB numbers so that filters compare them", () =>
    Effect.gen(function*() {
      const { db, options, raw } = yield* DynamoTest
      const c = freshCollection()
      const numbers = {
        tenth: 0.1,
        precise: 123456789.123456,
        sum: 0.1 + 0.2,
        tiny: 1e-7,
        negativeTiny: -1.5e-30,
        beyondSafe: 2 ** 53 + 2,
        huge: 1e20,
        edge: 1e125,
        third: 1 / 3,
        negative: -42
      }
      yield* db.save(c, "n", numbers)
      const { _id, _rev, ...back } = yield* db.get(c, "n")
      expect(back).toEqual(numbers)
      for (const [field, value] of Object.entries(back)) expect(Object.is(value, numbers[field as keyof typeof numbers])).toBe(true)

      const item = yield* Effect.promise(() =>
        raw.send(new GetItemCommand({ TableName: `${options.tablePrefix}${c}`, Key: { _id: { S: "n" } }, ConsistentRead: true }))
      )
      expect(Object.keys(item.Item?.tenth ?? {})).toEqual(["N"])
      expect(Object.keys(item.Item?.huge ?? {})).toEqual(["N"])
      expect(Object.keys(item.Item?._rev ?? {})).toEqual(["S"])

      expect((yield* db.find(c, { tenth: 0.1 })).map((d) => d._id)).toEqual(["n"])
      expect((yield* db.find(c, { precise: 123456789.123456, huge: 1e20 })).map((d) => d._id)).toEqual(["n"])
      expect(yield* db.find(c, { tenth: 0.1000001 })).toEqual([])
    }))

  it.effect("a number beyond DynamoDB's range is InvalidDocument, or an invalid result in saveMany, as on every backend", () =>
    Effect.gen(function*() {
      const { db } = yield* DynamoTest
      const c = freshCollection()
      const error = yield* Effect.flip(db.save(c, "far", { nested: { value: 1e200 } }))
      expect(error).toMatchObject({ _tag: "InvalidDocument", limit: "value", id: "far" })
      const results = yield* db.saveMany(c, [{ _id: "near", v: 1e-130 }, { _id: "tiny", v: [5e-324] }, { _id: "big", v: -1e126 }])
      expect(results.map((r) => [r.id, r.ok])).toEqual([["near", true], ["tiny", false], ["big", false]])
      expect(results[1]).toMatchObject({ error: "invalid", reason: expect.stringContaining("outside the range") })
      expect((yield* db.get(c, "near")).v).toBe(1e-130)
    }))

  it.effect("the largest document the shared limit allows, of what DynamoDB counts heaviest, fits in one item", () =>
    Effect.gen(function*() {
      const { db } = yield* DynamoTest
      const c = freshCollection()
      const heaviest = heaviestAllowed()
      expect(JSON.stringify(heaviest).length).toBe(MAX_DOCUMENT_BYTES)
      yield* db.save(c, "heaviest", heaviest)
      expect(((yield* db.get(c, "heaviest")).v as Array<number>).length).toBe(heaviest.v.length)
      const results = yield* db.saveMany(c, [{ _id: "s1", v: 1 }, { _id: "big", blob: text(201) }, { _id: "s2", ...heaviest }])
      expect(results.map((r) => [r.id, r.ok])).toEqual([["s1", true], ["big", false], ["s2", true]])
      expect(results[1]).toMatchObject({ error: "invalid", reason: expect.stringContaining("bytes of JSON") })
      expect(yield* tagOf(db.get(c, "big"))).toBe("NotFound")
    }))

  it.effect("field names that are DynamoDB reserved words work in find and in projections", () =>
    Effect.gen(function*() {
      const { db } = yield* DynamoTest
      const c = freshCollection()
      yield* db.saveMany(c, [
        { _id: "1", name: "a", status: "live", size: 1, count: 2, data: { user: "u" } },
        { _id: "2", name: "b", status: "live", size: 1, count: 3, data: null },
        { _id: "3", name: "c", status: "dead", size: 2, count: 2, data: null }
      ])
      const found = yield* db.find(c, { status: "live", size: 1 }, { fields: ["name", "data", "name"] })
      expect([...found].sort((a, b) => a._id.localeCompare(b._id)).map(({ _rev, ...rest }) => rest)).toEqual([
        { _id: "1", name: "a", data: { user: "u" } },
        { _id: "2", name: "b", data: null }
      ])
      expect((yield* db.find(c, { data: null, count: 2 })).map((d) => d._id)).toEqual(["3"])
    }))

  it.effect("bulk calls beyond one batch, with repeated ids, keep input order and the last write", () =>
    Effect.gen(function*() {
      const { db } = yield* DynamoTest
      const c = freshCollection()
      const ids = Array.from({ length: 260 }, (_, i) => `b${i}`)
      const docs = [...ids.map((id) => ({ _id: id, round: 1 })), { _id: "b7", round: 2 }, { _id: "b7", round: 3 }]
      const saved = yield* db.saveMany(c, docs)
      expect(saved.map((r) => r.id)).toEqual(docs.map((d) => d._id))
      expect(saved.every((r) => r.ok)).toBe(true)
      expect(new Set(saved.map((r) => (r.ok ? r.rev : undefined))).size).toBe(docs.length)
      const b7 = yield* db.get(c, "b7")
      expect(b7.round).toBe(3)
      const last = saved[saved.length - 1]!
      expect(last.ok ? last.rev : undefined).toBe(b7._rev)

      const got = yield* db.getMany(c, [...ids, "b7", "missing", "b0"])
      expect(got.size).toBe(261)
      expect([...got.values()].filter((d) => d !== null).length).toBe(260)
      expect(got.get("missing")).toBeNull()

      const deleted = yield* db.deleteMany(c, [...ids.slice(0, 200), "b0", "never"])
      expect(deleted.length).toBe(202)
      expect(deleted.every((r) => r.ok)).toBe(true)
      expect((yield* db.listAll(c)).length).toBe(60)
    }))
})

describe("DynamoDB's own item size check", () => {
  it.live("a server refusing an item as too large gives a DatabaseError saying so", () =>
    Effect.gen(function*() {
      // A dynalite with a smaller limit stands in for a server whose count differs from the adapter's.
      const dynalite = yield* startDynalite(undefined, ["--maxItemSizeKb", "100"])
      const db = yield* DynamoDbDatabase.make({
        endpoint: dynalite.endpoint,
        credentials: DUMMY_CREDENTIALS,
        tablePrefix: freshTablePrefix()
      })
      const error = yield* Effect.flip(db.save("blobs", "b", { blob: text(150) }))
      expect(error).toMatchObject({ _tag: "DatabaseError", operation: "save", unavailable: false })
      expect(error.message).toContain("item limit")
      const bulk = yield* Effect.flip(db.saveMany("blobs", [{ _id: "b", blob: text(150) }]))
      expect(bulk).toMatchObject({ _tag: "DatabaseError", operation: "saveMany" })
      expect(bulk.message).toContain("item limit")
    }).pipe(Effect.scoped))
})
