import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as DynamoDbCatalog from "../../src/adapters/dynamodb/DynamoDbCatalog.js"
import * as DynamoDbDatabase from "../../src/adapters/dynamodb/DynamoDbDatabase.js"
import { fromLayer } from "../../src/cli/Backends.js"
import { DUMMY_CREDENTIALS, startDynalite } from "../support/dynalite.js"
import { seed } from "./support.js"

describe("DynamoDB table prefixes", () => {
  // A dynalite of its own: a two-character prefix is shared by every test that would use it.
  it.scopedLive("a prefix shorter than a table name still lists its collections, and only those", () =>
    Effect.gen(function*() {
      const { endpoint } = yield* startDynalite()
      const options = (tablePrefix: string): DynamoDbDatabase.DynamoDbOptions => ({ endpoint, region: "us-east-1", credentials: DUMMY_CREDENTIALS, tablePrefix })
      const open = (tablePrefix: string) =>
        fromLayer("dynamodb", Layer.merge(DynamoDbDatabase.layer(options(tablePrefix)), DynamoDbCatalog.layer(options(tablePrefix))))
      const short = yield* open("p-")
      const other = yield* open("other-")
      const none = yield* open("")
      yield* seed(short, { agents: [{ _id: "a" }], demos: [{ _id: "d" }] })
      yield* seed(other, { agents: [{ _id: "b" }] })

      expect(yield* short.catalog.collections).toEqual(["agents", "demos"])
      expect(yield* none.catalog.collections).toEqual(["other-agents", "p-agents", "p-demos"])
    }), 60_000)
})
