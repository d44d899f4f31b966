import { ListTablesCommand } from "@aws-sdk/client-dynamodb"
import {
  BatchGetCommand,
  BatchWriteCommand,
  type BatchWriteCommandInput,
  DeleteCommand,
  GetCommand,
  PutCommand,
  ScanCommand,
  type ScanCommandInput
} from "@aws-sdk/lib-dynamodb"
import { Array as Arr, Config, Duration, Effect, Layer, Option, type Scope } from "effect"
import type { ConfigError } from "effect/ConfigError"
import { randomUUID } from "node:crypto"
import { DatabaseService, type DatabaseServiceShape } from "../../ports/DatabaseService.js"
import { databaseTimeoutConfig } from "../../ports/DatabaseTimeout.js"
import type { BulkResult, Document } from "../../ports/Document.js"
import { Conflict, DatabaseError, NotFound } from "../../ports/Errors.js"
import { makeDatabaseService } from "../../ports/makeDatabaseService.js"
import type { RawDatabase, StoredWrite } from "../../ports/RawDatabase.js"
import { BATCH_CONCURRENCY, GET_BATCH, untilProcessed, WRITE_BATCH } from "./batch.js"
import { acquire, type DynamoDbOptions, TABLE_PREFIX_RULE, tablePrefixProblem } from "./DynamoDbClient.js"
import { isConditionFailed, isMissingTable } from "./errors.js"
import { deleteCondition, findExpression, writeCondition } from "./expressions.js"
import { fromItem, ID, makeTables, REV } from "./tables.js"

export type { DynamoDbOptions } from "./DynamoDbClient.js"

type WriteRequest = NonNullable<BatchWriteCommandInput["RequestItems"]>[string][number]
type Item = Record<string, unknown>

// Past this many items a scan request reads up to DynamoDB's own 1 MB page.
const MAX_SCAN_READ = 4000

interface PendingSave {
  readonly index: number
  readonly item: Item
  readonly expectedRev: string | undefined
  readonly create: boolean
}

// Opaque and never reused, even after a delete and re-create of the same id. The body is the
// port's own copy (RawDatabase.ts), finished in place: a spread copy with two more fields would
// get a V8 map of its own per write (see MemoryDatabase.ts).
const toItem = ({ body, id }: StoredWrite): Item => {
  const item = body as Item
  item[ID] = id
  item[REV] = randomUUID()
  return item
}

const saved = (item: Item): BulkResult => ({ id: item[ID] as string, ok: true, rev: item[REV] as string })

/**
 * The DynamoDB backend's raw operations: one table per collection (`prefix + collection`, key
 * `_id`), created on first write; every item carries its revision in `_rev`, which conditional
 * writes check.
 */
export const makeRaw = (options: DynamoDbOptions = {}): Effect.Effect<RawDatabase, DatabaseError, Scope.Scope> =>
  Effect.gen(function*() {
    const db = yield* acquire(options)
    const { call, documents, where } = db
    const tables = makeTables(db, yield* Effect.scope)

    const ping = call("ping", (o) => documents.send(new ListTablesCommand({ Limit: 1 }), o)).pipe(Effect.asVoid)
    const startupTimeout = Duration.decode(options.startupTimeout ?? "10 seconds")
    yield* ping.pipe(
      Effect.timeoutFail({
        duration: startupTimeout,
        onTimeout: () =>
          new DatabaseError({
            operation: "ping",
            message: `DynamoDB at ${where} did not answer within ${Duration.format(startupTimeout)}`,
            unavailable: true
          })
      }),
      Effect.mapError((error) =>
        new DatabaseError({
          operation: "startup",
          message: `cannot start on DynamoDB (checked endpoint and credentials with ListTables): ${error.message}`,
          unavailable: error.unavailable,
          cause: error.cause
        })
      )
    )

    const read = (operation: string, collection: string, id: string) =>
      call(operation, (o) =>
        documents.send(new GetCommand({ TableName: tables.name(collection), Key: { [ID]: id }, ConsistentRead: true }), o)).pipe(
          Effect.map((out) => (out.Item === undefined ? undefined : fromItem(out.Item))),
          Effect.catchIf(isMissingTable, () => Effect.succeed(undefined))
        )

    const put = (operation: string, collection: string, item: Item, create: boolean, expectedRev: string | undefined) =>
      tables.writing(operation, collection, (table) =>
        call(operation, (o) =>
          documents.send(new PutCommand({ TableName: table, Item: item, ...writeCondition(create, expectedRev) }), o)))

    const sendBatch = (operation: string, table: string, requests: ReadonlyArray<WriteRequest>) =>
      untilProcessed(operation, where, requests, (pending) =>
        call(operation, (o) => documents.send(new BatchWriteCommand({ RequestItems: { [table]: [...pending] } }), o)).pipe(
          Effect.map((out) => out.UnprocessedItems?.[table] ?? [])
        ))

    const scanPage = (operation: string, collection: string, input: Omit<ScanCommandInput, "TableName">, start: Item | undefined) =>
      call(operation, (o) =>
        documents.send(new ScanCommand({ ...input, TableName: tables.name(collection), ConsistentRead: true, ExclusiveStartKey: start }), o)).pipe(
          Effect.map((out) => ({ docs: (out.Items ?? []).map(fromItem), next: out.LastEvaluatedKey as Item | undefined })),
          Effect.catchIf(isMissingTable, () => Effect.succeed({ docs: [], next: undefined }))
        )

    // Conditional writes (create-only ones too) cannot be batched: each is its own PutItem, its
    // conflict its own result.
    const saveConditionally = (collection: string, pending: ReadonlyArray<PendingSave>, results: Array<BulkResult>) =>
      Effect.forEach(pending, ({ create, expectedRev, index, item }) =>
        put("saveMany", collection, item, create, expectedRev).pipe(
          Effect.as(saved(item)),
          Effect.catchIf(isConditionFailed, () =>
            Effect.succeed<BulkResult>({ id: item[ID] as string, ok: false, error: "conflict", reason: "revision differs or document is gone" })),
          Effect.map((result) => {
            results[index] = result
          })
        ), { concurrency: BATCH_CONCURRENCY, discard: true })

    const saveUnconditionally = (collection: string, pending: ReadonlyArray<PendingSave>, results: Array<BulkResult>) =>
      Effect.forEach(Arr.chunksOf(pending, WRITE_BATCH), (chunk) =>
        tables.writing("saveMany", collection, (table) =>
          sendBatch("saveMany", table, chunk.map(({ item }) => ({ PutRequest: { Item: item } })))).pipe(
            Effect.map(() => {
              for (const { index, item } of chunk) results[index] = saved(item)
            })
          ), { concurrency: BATCH_CONCURRENCY, discard: true })

    const raw: RawDatabase = {
      provider: "dynamodb",
      ping,

      get: (collection, id) => read("get", collection, id),

      save: (collection, write) => {
        const item = toItem(write)
        return put("save", collection, item, write.create, write.expectedRev).pipe(
          Effect.catchIf(isConditionFailed, () => Effect.fail(new Conflict({ collection, id: write.id }))),
          Effect.as(item[REV] as string)
        )
      },

      delete: (collection, id, expectedRev) =>
        call("delete", (o) =>
          documents.send(new DeleteCommand({ TableName: tables.name(collection), Key: { [ID]: id }, ...deleteCondition(expectedRev) }), o)).pipe(
            Effect.asVoid,
            Effect.catchIf(isMissingTable, () => Effect.fail(new NotFound({ collection, id }))),
            // The condition cannot say which half failed; a consistent read can.
            Effect.catchIf(isConditionFailed, () =>
              expectedRev === undefined
                ? Effect.fail(new NotFound({ collection, id }))
                : Effect.flatMap(read("delete", collection, id), (current) =>
                  Effect.fail(current === undefined ? new NotFound({ collection, id }) : new Conflict({ collection, id }))))
          ),

      page: (collection, size, cursor) => scanPage("page", collection, { Limit: size }, cursor as Item | undefined),
      listPageSize: 1000,

      // Scan's Limit counts items read before the filter, so keep paging until enough matched. With
      // a limit, a request reads that many items and each further one twice as many as the last:
      // a dense match costs one small read, a sparse one few requests, and none reads far past
      // what was asked. A scan may start after any key, even one since deleted: that is where
      // `after` resumes.
      find: (collection, selector, fields, limit, after) => {
        const input = findExpression(selector, fields)
        const first = Number.isFinite(limit) ? Math.max(1, Math.ceil(limit)) : undefined
        const start: Item | undefined = after === undefined ? undefined : { [ID]: after }
        // A loop rather than a Stream, whose machinery cost more per find than the pages' conversions.
        const from = (found: Array<Document>, start: Item | undefined, read: number | undefined): Effect.Effect<ReadonlyArray<Document>, DatabaseError> =>
          Effect.flatMap(scanPage("find", collection, read === undefined ? input : { ...input, Limit: read }, start), ({ docs, next }) => {
            for (const doc of docs) {
              if (found.length >= limit) break
              found.push(doc)
            }
            return found.length >= limit || next === undefined
              ? Effect.succeed(found)
              : from(found, next, read === undefined || read >= MAX_SCAN_READ ? undefined : read * 2)
          })
        return Effect.suspend(() => from([], start, first))
      },

      // Scan with a filter needs no index; a GSI per queried field would cost writes for little gain here.
      ensureIndex: () => Effect.void,

      getMany: (collection, ids) => {
        const table = tables.name(collection)
        const found = new Map<string, Document>()
        const chunks = Arr.chunksOf(ids.map((id) => ({ [ID]: id })), GET_BATCH)
        const getChunk = (chunk: ReadonlyArray<Item>) =>
          untilProcessed<Item>("getMany", where, chunk, (pending) =>
            call("getMany", (o) =>
              documents.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: [...pending], ConsistentRead: true } } }), o))
              .pipe(
                Effect.map((out) => {
                  for (const item of out.Responses?.[table] ?? []) found.set(item[ID] as string, fromItem(item))
                  return out.UnprocessedKeys?.[table]?.Keys ?? []
                })
              ))
        // One batch (up to 100 ids, the usual case) runs in the caller's fiber: a concurrent forEach forks even for one.
        return (chunks.length === 1 ? getChunk(chunks[0]!) : Effect.forEach(chunks, getChunk, { concurrency: BATCH_CONCURRENCY, discard: true }))
          .pipe(
            Effect.catchIf(isMissingTable, () => Effect.void),
            Effect.as(found)
          )
      },

      saveMany: (collection, writes) =>
        Effect.gen(function*() {
          const results: Array<BulkResult> = new Array(writes.length)
          // BatchWriteItem refuses a key twice in one call, and a later write of an id must land
          // after an earlier one: the n-th occurrence of each id goes into round n.
          const rounds: Array<Array<PendingSave>> = []
          const occurrences = new Map<string, number>()
          writes.forEach((write, index) => {
            const round = occurrences.get(write.id) ?? 0
            occurrences.set(write.id, round + 1)
            ;(rounds[round] ??= []).push({ index, item: toItem(write), expectedRev: write.expectedRev, create: write.create })
          })
          for (const round of rounds) {
            yield* Effect.all([
              saveConditionally(collection, round.filter((p) => p.expectedRev !== undefined || p.create), results),
              saveUnconditionally(collection, round.filter((p) => p.expectedRev === undefined && !p.create), results)
            ], { concurrency: 2, discard: true })
          }
          return results
        }),

      deleteMany: (collection, ids) => {
        const table = tables.name(collection)
        return Effect.forEach(Arr.chunksOf(ids, WRITE_BATCH), (chunk) =>
          sendBatch("deleteMany", table, chunk.map((id) => ({ DeleteRequest: { Key: { [ID]: id } } }))), {
          concurrency: BATCH_CONCURRENCY,
          discard: true
        }).pipe(
          Effect.catchIf(isMissingTable, () => Effect.void),
          Effect.as(ids.map((id): BulkResult => ({ id, ok: true })))
        )
      }
    }
    return raw
  })

/** The DynamoDB backend: its raw operations under the port's shared rules. */
export const make = (options: DynamoDbOptions = {}): Effect.Effect<DatabaseServiceShape, DatabaseError, Scope.Scope> =>
  Effect.map(makeRaw(options), (raw) => makeDatabaseService(raw))

export const layer = (options: DynamoDbOptions = {}): Layer.Layer<DatabaseService, DatabaseError> =>
  Layer.scoped(DatabaseService, make(options))

/** DYNAMODB_REGION (default us-east-1), DYNAMODB_ENDPOINT_URL, DYNAMODB_TABLE_PREFIX, DATABASE_TIMEOUT; credentials from the SDK chain. */
/** The service's DynamoDB variables as options; the CLI reads the same ones (behind a prefix). */
export const optionsConfig: Config.Config<DynamoDbOptions> = Config.map(
  Config.all({
    region: Config.string("DYNAMODB_REGION").pipe(Config.withDefault("us-east-1")),
    endpoint: Config.option(
      Config.string("DYNAMODB_ENDPOINT_URL").pipe(Config.validate({ message: "must be a URL", validation: (url) => URL.canParse(url) }))
    ),
    tablePrefix: Config.string("DYNAMODB_TABLE_PREFIX").pipe(
      Config.validate({ message: TABLE_PREFIX_RULE, validation: (prefix) => tablePrefixProblem(prefix) === undefined }),
      Config.withDefault("")
    ),
    operationTimeout: databaseTimeoutConfig
  }),
  ({ endpoint, operationTimeout, region, tablePrefix }) => ({ region, tablePrefix, endpoint: Option.getOrUndefined(endpoint), operationTimeout })
)

export const layerConfig: Layer.Layer<DatabaseService, ConfigError | DatabaseError> = Layer.unwrapEffect(
  Effect.map(optionsConfig, layer)
)
