import { DeleteTableCommand } from "@aws-sdk/client-dynamodb"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Stream } from "effect"
import * as DynamoDbDatabase from "../../src/adapters/dynamodb/DynamoDbDatabase.js"
import { stopChildServer } from "../support/ChildServer.js"
import { DUMMY_CREDENTIALS, freshTablePrefix, rawClient, startDynalite } from "../support/dynalite.js"

const tagOf = <A, E extends { readonly _tag: string }, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(Effect.either(effect), (result) => (Either.isLeft(result) ? result.left._tag : "success"))

describe("DynamoDB when the server goes away", () => {
  it.live("a dead server fails every operation with DatabaseError unavailable=true; after a restart writes work again", () =>
    Effect.gen(function*() {
      const first = yield* startDynalite()
      const db = yield* DynamoDbDatabase.make({
        endpoint: first.endpoint,
        credentials: DUMMY_CREDENTIALS,
        tablePrefix: freshTablePrefix(),
        maxAttempts: 2,
        requestTimeout: "1 second",
        operationTimeout: "5 seconds"
      })
      yield* db.save("agents", "a1", { n: 1 })
      yield* stopChildServer(first.server)

      const started = Date.now()
      const failures = [
        yield* Effect.flip(db.get("agents", "a1")),
        yield* Effect.flip(db.save("agents", "a1", { n: 2 })),
        yield* Effect.flip(db.delete("agents", "a1")),
        yield* Effect.flip(db.listAll("agents")),
        yield* Effect.flip(Stream.runCollect(db.stream("agents"))),
        yield* Effect.flip(db.find("agents", { n: 1 })),
        yield* Effect.flip(db.getMany("agents", ["a1"])),
        yield* Effect.flip(db.saveMany("agents", [{ _id: "a2" }])),
        yield* Effect.flip(db.deleteMany("agents", ["a1"])),
        yield* Effect.flip(db.ping)
      ]
      for (const failure of failures) {
        expect(failure).toMatchObject({ _tag: "DatabaseError", unavailable: true })
        expect(failure.message).toContain("DYNAMODB_ENDPOINT_URL")
        expect(failure.message).not.toContain(String(first.port))
      }
      expect(Date.now() - started).toBeLessThan(30_000)

      // dynalite keeps its data in memory: it comes back empty, and the adapter's idea of which
      // tables exist is stale. Reads say "nothing there"; the first write re-creates the table.
      yield* startDynalite(first.port)
      yield* db.ping
      expect(yield* tagOf(db.get("agents", "a1"))).toBe("NotFound")
      const { rev } = yield* db.save("agents", "a1", { n: 3 })
      expect(yield* db.get("agents", "a1")).toEqual({ _id: "a1", _rev: rev, n: 3 })
      const bulk = yield* db.saveMany("agents", [{ _id: "a2", n: 4 }])
      expect(bulk).toMatchObject([{ id: "a2", ok: true }])
      expect(Chunk.size(yield* Stream.runCollect(db.stream("agents")))).toBe(2)
    }).pipe(Effect.scoped))

  it.live("a table deleted behind the adapter's back reads as empty and is re-created by the next write", () =>
    Effect.gen(function*() {
      const dynalite = yield* startDynalite()
      const options = { endpoint: dynalite.endpoint, credentials: DUMMY_CREDENTIALS, tablePrefix: freshTablePrefix() }
      const db = yield* DynamoDbDatabase.make(options)
      const raw = yield* rawClient({ ...options, region: "us-east-1" })
      yield* db.saveMany("demos", [{ _id: "d1" }, { _id: "d2" }])
      yield* Effect.promise(() => raw.send(new DeleteTableCommand({ TableName: `${options.tablePrefix}demos` })))

      expect(yield* tagOf(db.get("demos", "d1"))).toBe("NotFound")
      expect(yield* tagOf(db.delete("demos", "d1"))).toBe("NotFound")
      expect(yield* db.listAll("demos")).toEqual([])
      expect(yield* db.find("demos", {})).toEqual([])
      expect((yield* db.getMany("demos", ["d1"])).get("d1")).toBeNull()
      expect(yield* db.deleteMany("demos", ["d1"])).toEqual([{ id: "d1", ok: true }])
      expect(yield* tagOf(db.save("demos", "d1", { v: 1 }, { expectedRev: "stale" }))).toBe("Conflict")

      yield* db.save("demos", "d3", { v: 3 })
      expect((yield* db.listAll("demos")).map((d) => d._id)).toEqual(["d3"])
    }).pipe(Effect.scoped))
})
