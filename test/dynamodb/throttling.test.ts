import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as DynamoDbDatabase from "../../src/adapters/dynamodb/DynamoDbDatabase.js"
import { DUMMY_CREDENTIALS, serveLocally } from "../support/dynalite.js"

type Answer = { readonly status: number; readonly body: unknown }
type Script = (operation: string, request: any, nth: number) => Answer | undefined

const ok = (body: unknown): Answer => ({ status: 200, body })
const throttled: Answer = {
  status: 400,
  body: { __type: "com.amazonaws.dynamodb.v20120810#ThrottlingException", message: "Rate of requests exceeds the allowed throughput." }
}

/**
 * dynalite never throttles, so these corners get a scripted DynamoDB over real HTTP: the SDK's
 * signing, retries and parsing all run as against AWS. It counts requests per operation.
 */
const scriptedDynamo = (script: Script) =>
  Effect.gen(function*() {
    const counts = new Map<string, number>()
    const { endpoint } = yield* serveLocally((req, res) => {
      let text = ""
      req.on("data", (chunk) => (text += chunk))
      req.on("end", () => {
        const operation = String(req.headers["x-amz-target"]).split(".")[1] ?? "?"
        const nth = (counts.get(operation) ?? 0) + 1
        counts.set(operation, nth)
        const answer = script(operation, JSON.parse(text), nth) ??
          (operation === "ListTables"
            ? ok({ TableNames: [] })
            : operation === "DescribeTable"
            ? ok({ Table: { TableName: "t", TableStatus: "ACTIVE" } })
            : { status: 500, body: { __type: "InternalServerError", message: `unscripted ${operation}` } })
        res.writeHead(answer.status, { "content-type": "application/x-amz-json-1.0", "x-amzn-requestid": `fake-${nth}` })
        res.end(JSON.stringify(answer.body))
      })
    })
    return { endpoint, count: (operation: string) => counts.get(operation) ?? 0 }
  })

// The SDK's backoff between throttled attempts can outlast DATABASE_TIMEOUT's default (2 s), which
// would end the call as unavailable all the same; a longer bound lets the attempts be counted.
const adapterOn = (endpoint: string) =>
  DynamoDbDatabase.make({ endpoint, credentials: DUMMY_CREDENTIALS, tablePrefix: "p-", maxAttempts: 3, operationTimeout: "20 seconds" })

describe("DynamoDB throttling", () => {
  it.live("a throttled request is retried by the SDK a bounded number of times, then fails unavailable", () =>
    Effect.gen(function*() {
      const fake = yield* scriptedDynamo((operation) => (operation === "GetItem" ? throttled : undefined))
      const db = yield* adapterOn(fake.endpoint)
      const error = yield* Effect.flip(db.get("agents", "a1"))
      expect(error).toMatchObject({ _tag: "DatabaseError", operation: "get", unavailable: true })
      expect(error.message).toContain("ThrottlingException")
      expect(fake.count("GetItem")).toBe(3)
    }).pipe(Effect.scoped))

  it.live("unprocessed batch items and keys are sent again until DynamoDB takes them", () =>
    Effect.gen(function*() {
      const fake = yield* scriptedDynamo((operation, request, nth) => {
        if (operation === "BatchWriteItem") return ok({ UnprocessedItems: nth === 1 ? request.RequestItems : {} })
        if (operation !== "BatchGetItem") return undefined
        const [table, { Keys }] = Object.entries(request.RequestItems as Record<string, { Keys: Array<unknown> }>)[0]!
        // First answer: one item, the rest unprocessed; second: the rest.
        return nth === 1
          ? ok({
            Responses: { [table]: [{ ...(Keys[0] as object), _rev: { S: "r" } }] },
            UnprocessedKeys: { [table]: { Keys: Keys.slice(1), ConsistentRead: true } }
          })
          : ok({ Responses: { [table]: Keys.map((key) => ({ ...(key as object), _rev: { S: "r" } })) }, UnprocessedKeys: {} })
      })
      const db = yield* adapterOn(fake.endpoint)
      const saved = yield* db.saveMany("agents", [{ _id: "a" }, { _id: "b" }, { _id: "c" }])
      expect(saved.every((r) => r.ok)).toBe(true)
      expect(fake.count("BatchWriteItem")).toBe(2)
      const got = yield* db.getMany("agents", ["a", "b", "c"])
      expect([...got.keys()]).toEqual(["a", "b", "c"])
      expect([...got.values()].map((d) => d?._id)).toEqual(["a", "b", "c"])
      expect(fake.count("BatchGetItem")).toBe(2)
    }).pipe(Effect.scoped))

  it.live("items that stay unprocessed fail the call after a bounded number of rounds", () =>
    Effect.gen(function*() {
      const fake = yield* scriptedDynamo((operation, request) =>
        operation === "BatchWriteItem" ? ok({ UnprocessedItems: request.RequestItems }) : undefined
      )
      const db = yield* adapterOn(fake.endpoint)
      const error = yield* Effect.flip(db.deleteMany("agents", ["a", "b"]))
      expect(error).toMatchObject({ _tag: "DatabaseError", operation: "deleteMany", unavailable: true })
      expect(error.message).toContain("unprocessed")
      expect(fake.count("BatchWriteItem")).toBe(8)
    }).pipe(Effect.scoped))
})
