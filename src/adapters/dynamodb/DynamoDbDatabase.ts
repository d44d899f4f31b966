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
import { Chunk, Config, Duration, Effect, Layer, Option, type Scope, Stream } from "effect"
import type { ConfigError } from "effect/ConfigError"
import { randomUUID } from "node:crypto"
import { DatabaseService, type DatabaseServiceShape } from "../../ports/DatabaseService.js"
import { bulkFailure, type BulkResult, DEFAULT_PAGE_SIZE, type Document, type DocumentInput } from "../../ports/Document.js"
import { Conflict, DatabaseError, NotFound } from "../../ports/Errors.js"
import { toJsonBody } from "../../ports/Json.js"
import {
  bodyOf,
  bulkDocumentProblem,
  expectedRevOf,
  idProblem,
  validateCollection,
  validateDocument,
  validateId,
  validateIndex,
  validateKey,
  validateQuery
} from "../../ports/Validation.js"
import { BATCH_CONCURRENCY, chunksOf, GET_BATCH, untilProcessed, WRITE_BATCH } from "./batch.js"
import { acquire, type DynamoDbOptions, TABLE_PREFIX_RULE, tablePrefixProblem } from "./DynamoDbClient.js"
import { isConditionFailed, isMissingTable } from "./errors.js"
import { deleteCondition, findExpression, writeCondition } from "./expressions.js"
import { itemProblem } from "./itemLimits.js"
import { ID, makeTables, REV } from "./tables.js"

export type { DynamoDbOptions } from "./DynamoDbClient.js"

type WriteRequest = NonNullable<BatchWriteCommandInput["RequestItems"]>[string][number]
type Item = Record<string, unknown>

interface PendingSave {
  readonly index: number
  readonly id: string
  readonly item: Item
  readonly expectedRev: string | undefined
}

const invalid = (id: unknown, reason: string): BulkResult => bulkFailure(id, "invalid", reason)

// Past this many items a scan request reads up to DynamoDB's own 1 MB page.
const MAX_SCAN_READ = 4000

/**
 * The DynamoDB backend: one table per collection (`prefix + collection`, key `_id`), created on
 * first write; every item carries its revision in `_rev`, which conditional writes check.
 */
export const make = (options: DynamoDbOptions = {}): Effect.Effect<DatabaseServiceShape, DatabaseError, Scope.Scope> =>
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

    // Opaque and never reused, even after a delete and re-create of the same id.
    const newRev = () => randomUUID()

    const toItem = (operation: string, id: string, doc: DocumentInput): Effect.Effect<Item, DatabaseError> =>
      Effect.map(toJsonBody(operation, bodyOf(doc)), (body) => ({ ...body, [ID]: id, [REV]: newRev() }))

    const read = (operation: string, collection: string, id: string) =>
      call(operation, (o) =>
        documents.send(new GetCommand({ TableName: tables.name(collection), Key: { [ID]: id }, ConsistentRead: true }), o)).pipe(
          Effect.map((out) => out.Item as Document | undefined),
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

    /**
     * Scans page by page from `start` (exclusive). With `limit`, a request reads that many items
     * and each further one twice as many as the last: a page of a dense match costs one small
     * read, a sparse one few requests, and no request reads far past what was asked.
     */
    const scan = (
      operation: string,
      collection: string,
      input: Omit<ScanCommandInput, "TableName">,
      start?: Item,
      limit?: number
    ): Stream.Stream<Document, DatabaseError> => {
      const table = tables.name(collection)
      const first = limit === undefined ? undefined : Math.max(1, Math.ceil(limit))
      return Stream.paginateChunkEffect({ start, read: first }, ({ read, start }) =>
        call(operation, (o) =>
          documents.send(
            new ScanCommand({
              ...input,
              ...(read === undefined ? {} : { Limit: read }),
              TableName: table,
              ConsistentRead: true,
              ExclusiveStartKey: start
            }),
            o
          )).pipe(
            Effect.map((out) =>
              [
                Chunk.unsafeFromArray((out.Items ?? []) as Array<Document>),
                Option.map(Option.fromNullable(out.LastEvaluatedKey), (next) => ({
                  start: next,
                  read: read === undefined || read >= MAX_SCAN_READ ? undefined : read * 2
                }))
              ] as const
            ),
            Effect.catchIf(isMissingTable, () => Effect.succeed([Chunk.empty<Document>(), Option.none()] as const))
          ))
    }

    // Conditional writes cannot be batched: each is its own PutItem, its conflict its own result.
    const saveConditionally = (collection: string, pending: ReadonlyArray<PendingSave>, results: Array<BulkResult>) =>
      Effect.forEach(pending, ({ expectedRev, id, index, item }) =>
        put("saveMany", collection, item, false, expectedRev).pipe(
          Effect.as<BulkResult>({ id, ok: true, rev: item[REV] as string }),
          Effect.catchIf(isConditionFailed, () =>
            Effect.succeed<BulkResult>({ id, ok: false, error: "conflict", reason: "revision differs or document is gone" })),
          Effect.map((result) => {
            results[index] = result
          })
        ), { concurrency: BATCH_CONCURRENCY, discard: true })

    const saveUnconditionally = (collection: string, pending: ReadonlyArray<PendingSave>, results: Array<BulkResult>) =>
      Effect.forEach(chunksOf(pending, WRITE_BATCH), (chunk) =>
        tables.writing("saveMany", collection, (table) =>
          sendBatch("saveMany", table, chunk.map(({ item }) => ({ PutRequest: { Item: item } })))).pipe(
            Effect.map(() => {
              for (const { id, index, item } of chunk) results[index] = { id, ok: true, rev: item[REV] as string }
            })
          ), { concurrency: BATCH_CONCURRENCY, discard: true })

    const service: DatabaseServiceShape = {
      provider: "dynamodb",
      ping: Effect.withSpan(ping, "DynamoDb.ping"),

      get: (collection, id) =>
        validateKey(collection, id).pipe(
          Effect.zipRight(read("get", collection, id)),
          Effect.flatMap((doc) => (doc === undefined ? Effect.fail(new NotFound({ collection, id })) : Effect.succeed(doc))),
          Effect.withSpan("DynamoDb.get")
        ),

      save: (collection, id, doc, options) =>
        Effect.gen(function*() {
          yield* validateKey(collection, id)
          yield* validateDocument(doc)
          const item = yield* toItem("save", id, doc)
          const problem = itemProblem(item)
          if (problem !== undefined) {
            return yield* new DatabaseError({ operation: "save", message: `cannot save '${id}' in '${collection}': ${problem}` })
          }
          yield* put("save", collection, item, options?.mode === "create", expectedRevOf(doc, options?.expectedRev)).pipe(
            Effect.catchIf(isConditionFailed, () => Effect.fail(new Conflict({ collection, id })))
          )
          return { id, rev: item[REV] as string }
        }).pipe(Effect.withSpan("DynamoDb.save")),

      delete: (collection, id, options) =>
        Effect.gen(function*() {
          yield* validateKey(collection, id)
          const expectedRev = options?.expectedRev
          const deleting = call("delete", (o) =>
            documents.send(
              new DeleteCommand({ TableName: tables.name(collection), Key: { [ID]: id }, ...deleteCondition(expectedRev) }),
              o
            ))
          yield* deleting.pipe(
            Effect.catchIf(isMissingTable, () => Effect.fail(new NotFound({ collection, id }))),
            // The condition cannot say which half failed; a consistent read can.
            Effect.catchIf(isConditionFailed, () =>
              expectedRev === undefined
                ? Effect.fail(new NotFound({ collection, id }))
                : Effect.flatMap(read("delete", collection, id), (current) =>
                  Effect.fail(current === undefined ? new NotFound({ collection, id }) : new Conflict({ collection, id }))))
          )
        }).pipe(Effect.withSpan("DynamoDb.delete")),

      listAll: (collection) =>
        validateCollection(collection).pipe(
          Effect.zipRight(Stream.runCollect(scan("listAll", collection, {}))),
          Effect.map(Chunk.toReadonlyArray),
          Effect.withSpan("DynamoDb.listAll")
        ),

      stream: (collection, options) => {
        const pageSize = Math.max(1, Math.floor(options?.pageSize ?? DEFAULT_PAGE_SIZE))
        return Stream.unwrap(Effect.as(validateCollection(collection), scan("stream", collection, { Limit: pageSize }))).pipe(
          Stream.withSpan("DynamoDb.stream")
        )
      },

      find: (collection, selector, options) =>
        Effect.gen(function*() {
          yield* validateQuery(collection, selector, options)
          const limit = options?.limit
          if (limit !== undefined && limit <= 0) return []
          // Scan's Limit counts items read before the filter, so keep paging until enough matched.
          // A scan may start after any key, even one since deleted: that is where `after` resumes.
          const start = options?.after === undefined ? undefined : { [ID]: options.after }
          const matches = scan("find", collection, findExpression(selector, options?.fields), start, limit)
          const taken = limit === undefined ? matches : Stream.take(matches, limit)
          return Chunk.toReadonlyArray(yield* Stream.runCollect(taken))
        }).pipe(Effect.withSpan("DynamoDb.find")),

      // Scan with a filter needs no index; a GSI per queried field would cost writes for little gain here.
      ensureIndex: (collection, fields) => validateIndex(collection, fields).pipe(Effect.withSpan("DynamoDb.ensureIndex")),

      getMany: (collection, ids) =>
        Effect.gen(function*() {
          yield* validateCollection(collection)
          yield* Effect.forEach(ids, validateId, { discard: true })
          const table = tables.name(collection)
          const found = new Map<string, Document>()
          const keys = [...new Set(ids)].map((id) => ({ [ID]: id }))
          yield* Effect.forEach(chunksOf(keys, GET_BATCH), (chunk) =>
            untilProcessed<Item>("getMany", where, chunk, (pending) =>
              call("getMany", (o) =>
                documents.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: [...pending], ConsistentRead: true } } }), o))
                .pipe(
                  Effect.map((out) => {
                    for (const item of out.Responses?.[table] ?? []) found.set(item[ID] as string, item as Document)
                    return out.UnprocessedKeys?.[table]?.Keys ?? []
                  })
                )), { concurrency: BATCH_CONCURRENCY, discard: true }).pipe(
              Effect.catchIf(isMissingTable, () => Effect.void)
            )
          return new Map(ids.map((id) => [id, found.get(id) ?? null] as const))
        }).pipe(Effect.withSpan("DynamoDb.getMany")),

      saveMany: (collection, docs) =>
        Effect.gen(function*() {
          yield* validateCollection(collection)
          const results: Array<BulkResult> = new Array(docs.length)
          // BatchWriteItem refuses a key twice in one call, and a later write of an id must land
          // after an earlier one: the n-th occurrence of each id goes into round n.
          const rounds: Array<Array<PendingSave>> = []
          const occurrences = new Map<string, number>()
          for (const [index, doc] of docs.entries()) {
            const reason = bulkDocumentProblem(doc)
            if (reason !== undefined) {
              results[index] = invalid(doc._id, reason)
              continue
            }
            const item = yield* toItem("saveMany", doc._id, doc)
            const problem = itemProblem(item)
            if (problem !== undefined) {
              results[index] = invalid(doc._id, problem)
              continue
            }
            const round = occurrences.get(doc._id) ?? 0
            occurrences.set(doc._id, round + 1)
            ;(rounds[round] ??= []).push({ index, id: doc._id, item, expectedRev: expectedRevOf(doc, undefined) })
          }
          for (const round of rounds) {
            yield* Effect.all([
              saveConditionally(collection, round.filter((p) => p.expectedRev !== undefined), results),
              saveUnconditionally(collection, round.filter((p) => p.expectedRev === undefined), results)
            ], { concurrency: 2, discard: true })
          }
          return results
        }).pipe(Effect.withSpan("DynamoDb.saveMany")),

      deleteMany: (collection, ids) =>
        Effect.gen(function*() {
          yield* validateCollection(collection)
          const results = ids.map((id): BulkResult => {
            const reason = idProblem(id)
            return reason === undefined ? { id, ok: true } : invalid(id, reason)
          })
          const valid = [...new Set(ids.filter((id) => idProblem(id) === undefined))]
          const table = tables.name(collection)
          yield* Effect.forEach(chunksOf(valid, WRITE_BATCH), (chunk) =>
            sendBatch("deleteMany", table, chunk.map((id) => ({ DeleteRequest: { Key: { [ID]: id } } }))), {
            concurrency: BATCH_CONCURRENCY,
            discard: true
          }).pipe(Effect.catchIf(isMissingTable, () => Effect.void))
          return results
        }).pipe(Effect.withSpan("DynamoDb.deleteMany"))
    }
    return service
  })

export const layer = (options: DynamoDbOptions = {}): Layer.Layer<DatabaseService, DatabaseError> =>
  Layer.scoped(DatabaseService, make(options))

/** DYNAMODB_REGION (default us-east-1), DYNAMODB_ENDPOINT_URL, DYNAMODB_TABLE_PREFIX; credentials from the SDK chain. */
export const layerConfig: Layer.Layer<DatabaseService, ConfigError | DatabaseError> = Layer.unwrapEffect(
  Effect.map(
    Config.all({
      region: Config.string("DYNAMODB_REGION").pipe(Config.withDefault("us-east-1")),
      endpoint: Config.option(
        Config.string("DYNAMODB_ENDPOINT_URL").pipe(Config.validate({ message: "must be a URL", validation: (url) => URL.canParse(url) }))
      ),
      tablePrefix: Config.string("DYNAMODB_TABLE_PREFIX").pipe(
        Config.validate({ message: TABLE_PREFIX_RULE, validation: (prefix) => tablePrefixProblem(prefix) === undefined }),
        Config.withDefault("")
      )
    }),
    ({ endpoint, region, tablePrefix }) =>
      layer({ region, tablePrefix, endpoint: Option.getOrUndefined(endpoint) })
  )
)
