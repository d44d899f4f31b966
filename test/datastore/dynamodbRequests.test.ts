import { expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { countingProxy } from "../../bench/support/countingProxy.js"
import * as DynamoDbDatabase from "../../src/adapters/dynamodb/DynamoDbDatabase.js"
import * as DataStore from "../../src/domain/DataStore.js"
import { DatabaseService } from "../../src/ports/DatabaseService.js"
import { dynamoTestOptions } from "../support/dynalite.js"

// Requests counted by a proxy in front of dynalite. The bounds are loose (a throttled batch may be
// resent); what they rule out is one request per record.
it.live("DynamoDB: setMany of 1,000 existing records is a few dozen batch calls, not a PutItem per record", () =>
  Effect.scoped(Effect.gen(function*() {
    const options = yield* dynamoTestOptions
    const proxy = yield* countingProxy(options.endpoint!, "http1")
    const db = yield* DynamoDbDatabase.make({ ...options, endpoint: proxy.url })
    const context = yield* Layer.build(DataStore.layerWith({ delay: "1 hour" }).pipe(Layer.provide(Layer.succeed(DatabaseService, db))))
    const store = context.unsafeMap.get(DataStore.DataStore.key) as DataStore.DataStoreShape
    const writes = Array.from({ length: 1000 }, (_, i) => ({ key: `k/${i}`, value: i }))
    expect((yield* store.setMany("u1", "ns", writes, "writer")).every((r) => r.ok)).toBe(true)
    yield* store.getMany("u1", "ns", writes.map((w) => w.key), "reader")
    yield* store.flushAccess

    proxy.reset()
    const again = yield* store.setMany("u1", "ns", writes.map((w) => ({ key: w.key, value: w.value + 1000 })))
    expect(again.every((r) => r.ok)).toBe(true)
    // 10 BatchGetItem (100 keys each) + 40 BatchWriteItem (25 items each); it was 10 + 1,000 PutItem.
    expect(proxy.counts().PutItem ?? 0).toBe(0)
    expect(proxy.counts().BatchWriteItem ?? 0).toBeLessThanOrEqual(80)
    expect(proxy.total()).toBeLessThanOrEqual(120)

    // The values changed; the counts the flush wrote and the creation fields did not.
    const read = yield* store.getMany("u1", "ns", writes.map((w) => w.key))
    expect(read.map((r) => r.value)).toEqual(writes.map((w) => w.value + 1000))
    expect(read.every((r) => r.accessCount === 1 && r.createdByAgent === "writer" && r.lastAccessedByAgent === "reader")).toBe(true)
  })), 120_000)
