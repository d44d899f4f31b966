import { CreateTableCommand } from "@aws-sdk/client-dynamodb"
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb"
import { Context, Effect, Layer, Redacted } from "effect"
import * as CouchDbDatabase from "../../src/adapters/couchdb/CouchDbDatabase.js"
import * as FirestoreDatabase from "../../src/adapters/firestore/FirestoreDatabase.js"
import * as MemoryDatabase from "../../src/adapters/MemoryDatabase.js"
import { DatabaseService } from "../../src/ports/DatabaseService.js"
import { dynamoTestContext, DynamoTest } from "../support/dynalite.js"
import { startEmulator, testOptions } from "../support/firestoreEmulator.js"
import { couchTestOptions } from "../support/pouchdbServer.js"

/**
 * Writes a document the way Gofannon's own database service stores it on this backend, beside
 * docport rather than through it: the fixtures of documents docport did not write.
 */
export class GofannonStore extends Context.Tag("test/GofannonStore")<GofannonStore, {
  readonly backend: string
  readonly put: (collection: string, id: string, doc: Record<string, unknown>) => Effect.Effect<void, Error>
}>() {}

const failed = (what: string) => (cause: unknown) => new Error(`${what}: ${String(cause)}`)

const httpOk = (what: string, response: Response, alsoOk: ReadonlyArray<number> = []) =>
  response.ok || alsoOk.includes(response.status)
    ? Effect.void
    : Effect.flatMap(Effect.promise(() => response.text()), (text) => Effect.fail(new Error(`${what}: ${response.status} ${text}`)))

/** Memory has no store beside the port: Gofannon's documents go in through `save`, as they are. */
export const memoryStores = Layer.effect(
  GofannonStore,
  Effect.map(DatabaseService, (db) => ({
    backend: "memory",
    put: (collection: string, id: string, doc: Record<string, unknown>) =>
      Effect.asVoid(Effect.mapError(db.save(collection, id, { ...doc, _id: id }), failed("memory put")))
  }))
).pipe(Layer.provideMerge(MemoryDatabase.layer))

/** CouchDB: a plain PUT of the document, as python-couchdb sends it (a falsy `_rev` left out). */
export const couchStores = Layer.unwrapScoped(Effect.gen(function*() {
  const options = yield* Effect.orDie(couchTestOptions)
  const db = yield* Effect.orDie(CouchDbDatabase.make(options))
  const base = String(options.url).replace(/\/+$/, "")
  const authorization = `Basic ${Buffer.from(`${options.username}:${Redacted.value(options.password)}`).toString("base64")}`
  const put = (collection: string, id: string, doc: Record<string, unknown>) =>
    Effect.gen(function*() {
      const database = `${base}/${encodeURIComponent(`${options.databasePrefix ?? ""}${collection}`)}`
      const created = yield* Effect.tryPromise({
        try: () => fetch(database, { method: "PUT", headers: { authorization } }),
        catch: failed("create database")
      })
      yield* httpOk("create database", created, [412])
      const { _rev, ...body } = doc
      const written = yield* Effect.tryPromise({
        try: () =>
          fetch(`${database}/${encodeURIComponent(id)}`, {
            method: "PUT",
            headers: { authorization, "content-type": "application/json" },
            body: JSON.stringify({ ...body, _id: id, ...(_rev ? { _rev } : {}) })
          }),
        catch: failed("put document")
      })
      yield* httpOk("put document", written)
    })
  return Layer.merge(Layer.succeed(DatabaseService, db), Layer.succeed(GofannonStore, { backend: "couchdb", put }))
}))

/** DynamoDB: Gofannon's table (key `_id`, made by Gofannon itself) and its item, `_rev: null` included. */
export const dynamoStores = Layer.unwrapScoped(Effect.gen(function*() {
  const { db, options, raw } = yield* DynamoTest
  const documents = DynamoDBDocumentClient.from(raw)
  const tables = new Set<string>()
  const put = (collection: string, id: string, doc: Record<string, unknown>) =>
    Effect.gen(function*() {
      const table = `${options.tablePrefix ?? ""}${collection}`
      if (!tables.has(table)) {
        yield* Effect.tryPromise({
          try: () =>
            raw.send(
              new CreateTableCommand({
                TableName: table,
                KeySchema: [{ AttributeName: "_id", KeyType: "HASH" }],
                AttributeDefinitions: [{ AttributeName: "_id", AttributeType: "S" }],
                BillingMode: "PAY_PER_REQUEST"
              })
            ),
          catch: (cause) => cause
        }).pipe(
          Effect.catchIf((cause) => (cause as { name?: string }).name === "ResourceInUseException", () => Effect.void),
          Effect.mapError(failed("create table"))
        )
        tables.add(table)
      }
      yield* Effect.tryPromise({
        try: () => documents.send(new PutCommand({ TableName: table, Item: { ...doc, _id: id } })),
        catch: failed("put item")
      })
    })
  return Layer.merge(Layer.succeed(DatabaseService, db), Layer.succeed(GofannonStore, { backend: "dynamodb", put }))
})).pipe(Layer.provide(dynamoTestContext))

// The emulator's REST form of a JSON value.
const firestoreValue = (value: unknown): Record<string, unknown> => {
  if (value === null || value === undefined) return { nullValue: null }
  if (typeof value === "string") return { stringValue: value }
  if (typeof value === "boolean") return { booleanValue: value }
  if (typeof value === "number") return Number.isInteger(value) ? { integerValue: String(value) } : { doubleValue: value }
  if (Array.isArray(value)) return { arrayValue: { values: value.map(firestoreValue) } }
  return { mapValue: { fields: firestoreFields(value as Record<string, unknown>) } }
}
const firestoreFields = (doc: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(doc).map(([key, value]) => [key, firestoreValue(value)]))

/** Firestore: `set(doc)` of Gofannon's model dump, which keeps `_id` and a null `_rev` as fields. */
export const firestoreStores = Layer.unwrapScoped(Effect.gen(function*() {
  const emulator = yield* Effect.orDie(startEmulator)
  const options = yield* testOptions(emulator)
  const db = yield* Effect.orDie(FirestoreDatabase.make(options))
  const put = (collection: string, id: string, doc: Record<string, unknown>) =>
    Effect.gen(function*() {
      const url = `http://${options.emulatorHost}/v1/projects/${options.projectId}/databases/(default)/documents/${collection}/${
        encodeURIComponent(id)
      }`
      const written = yield* Effect.tryPromise({
        try: () =>
          fetch(url, {
            method: "PATCH",
            headers: { authorization: "Bearer owner", "content-type": "application/json" },
            body: JSON.stringify({ fields: firestoreFields({ ...doc, _id: id }) })
          }),
        catch: failed("patch document")
      })
      yield* httpOk("patch document", written)
    })
  return Layer.merge(Layer.succeed(DatabaseService, db), Layer.succeed(GofannonStore, { backend: "firestore", put }))
}))
