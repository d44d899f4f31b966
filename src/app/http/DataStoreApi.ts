import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as OpenApi from "@effect/platform/OpenApi"
import { Schema } from "effect"
import { DataRecord, NamespaceList, NamespaceStats } from "../../domain/DataRecord.js"
import { WellFormedString } from "../../domain/Json.js"
import { BadRequestError, ConflictError, DatabaseFailure, DatabaseUnavailable, DocumentTooLarge, NotFoundError } from "./ApiErrors.js"
import { readable } from "./ReadableIssue.js"

const NamespacePath = Schema.Struct({ namespace: Schema.String })
/** The key is the rest of the path, so it may hold '/' whether or not it is percent-encoded. */
const RecordPath = Schema.Struct({ namespace: Schema.String, "*": Schema.String })

const Metadata = Schema.Record({ key: Schema.String, value: Schema.Unknown })
const Agent = WellFormedString.pipe(Schema.minLength(1), Schema.maxLength(200)).annotations({
  description: "the acting agent, 1 to 200 characters: reads by it are counted, records it creates name it"
})
const Namespace = Schema.String
const Key = Schema.String
/** Batches are bounded so that one request stays one handful of backend calls. */
const MAX_BATCH = 10_000
const Cursor = Schema.String.annotations({ description: "nextCursor of the previous page" })
// Digits only: NumberFromString alone also reads "0x10", "1e2" and " 5" as numbers.
const Limit = Schema.String.pipe(
  Schema.pattern(/^[0-9]{1,4}$/),
  Schema.compose(Schema.NumberFromString),
  Schema.between(1, 1000)
)

// A cursor alone would be ignored: the client following a page's x-next-cursor would be given
// every record from the first again, as if it were the rest.
const cursorNeedsLimit = (query: { readonly limit?: number | undefined; readonly cursor?: string | undefined }) =>
  query.cursor === undefined || query.limit !== undefined ||
  { path: ["cursor"], message: "is only read with a limit: send the limit of the page with it" }

export const ListQuery = Schema.Struct({
  limit: Schema.optional(Limit),
  cursor: Schema.optional(Cursor)
}).pipe(Schema.filter(cursorNeedsLimit))

export const SetRecordBody = Schema.Struct({
  value: Schema.Unknown,
  metadata: Schema.optional(Schema.NullOr(Metadata)),
  _rev: Schema.optional(Schema.String)
}).annotations({ identifier: "SetRecordRequest" })

export const ClearResult = Schema.Struct({ namespace: Schema.String, deletedCount: Schema.Number }).annotations({
  identifier: "ClearNamespaceResponse"
})

const Item = Schema.Struct({ key: Key, value: Schema.Unknown, metadata: Schema.optional(Schema.NullOr(Metadata)), _rev: Schema.optional(Schema.String) })

export const SetResultSchema = Schema.Union(
  Schema.Struct({ key: Schema.String, ok: Schema.Literal(true), _rev: Schema.String }),
  Schema.Struct({ key: Schema.String, ok: Schema.Literal(false), error: Schema.Literal("conflict", "failed"), reason: Schema.String })
).annotations({ identifier: "SetResult" })

const RecordsPage = Schema.Struct({ records: Schema.Array(DataRecord), nextCursor: Schema.NullOr(Schema.String) })

const op = <const Name extends string>(name: Name) => HttpApiEndpoint.post(name, `/data-store/ops/${name}`)

/** Gofannon's Data Store viewer routes, and the agent runtime's operations (POST, JSON in and out). */
export class DataStoreApi extends HttpApiGroup.make("dataStore")
  .add(HttpApiEndpoint.get("namespaces", "/data-store/namespaces").addSuccess(NamespaceList))
  .add(HttpApiEndpoint.get("namespaceStats", "/data-store/namespaces/:namespace").setPath(NamespacePath).addSuccess(NamespaceStats))
  .add(HttpApiEndpoint.del("clearNamespace", "/data-store/namespaces/:namespace").setPath(NamespacePath).addSuccess(ClearResult))
  .add(
    HttpApiEndpoint.get("listRecords", "/data-store/namespaces/:namespace/records").setPath(NamespacePath).setUrlParams(readable(ListQuery))
      .addSuccess(Schema.Array(DataRecord))
      .annotate(OpenApi.Description, "Every record, streamed; with `limit`, one page, and the next page's cursor in the `x-next-cursor` header")
  )
  .add(HttpApiEndpoint.get("getRecord", "/data-store/namespaces/:namespace/records/*").setPath(RecordPath).addSuccess(DataRecord))
  .add(
    HttpApiEndpoint.put("setRecord", "/data-store/namespaces/:namespace/records/*").setPath(RecordPath).setPayload(readable(SetRecordBody))
      .addSuccess(DataRecord)
  )
  .add(HttpApiEndpoint.del("deleteRecord", "/data-store/namespaces/:namespace/records/*").setPath(RecordPath))
  .add(op("get").setPayload(readable(Schema.Struct({ namespace: Namespace, key: Key, agent: Agent }))).addSuccess(Schema.Struct({ record: Schema.NullOr(DataRecord) })))
  .add(
    op("set").setPayload(readable(Schema.Struct({
      namespace: Namespace,
      key: Key,
      value: Schema.Unknown,
      metadata: Schema.optional(Schema.NullOr(Metadata)),
      _rev: Schema.optional(Schema.String),
      agent: Agent
    }))).addSuccess(DataRecord)
  )
  .add(op("delete").setPayload(readable(Schema.Struct({ namespace: Namespace, key: Key, agent: Agent }))).addSuccess(Schema.Struct({ deleted: Schema.Boolean })))
  .add(
    op("getMany").setPayload(readable(Schema.Struct({ namespace: Namespace, keys: Schema.Array(Key).pipe(Schema.maxItems(MAX_BATCH)), agent: Agent })))
      .addSuccess(Schema.Struct({ records: Schema.Array(DataRecord) }))
  )
  .add(
    op("setMany").setPayload(readable(Schema.Struct({ namespace: Namespace, items: Schema.Array(Item).pipe(Schema.maxItems(MAX_BATCH)), agent: Agent })))
      .addSuccess(Schema.Struct({ count: Schema.Number, results: Schema.Array(SetResultSchema) }))
  )
  .add(
    op("deleteMany").setPayload(readable(Schema.Struct({ namespace: Namespace, keys: Schema.Array(Key).pipe(Schema.maxItems(MAX_BATCH)), agent: Agent })))
      .addSuccess(Schema.Struct({ deletedCount: Schema.Number }))
  )
  .add(
    op("listKeys").setPayload(readable(Schema.Struct({ namespace: Namespace, prefix: Schema.optional(Schema.String), agent: Agent })))
      .addSuccess(Schema.Struct({ keys: Schema.Array(Schema.String) }))
  )
  .add(
    op("getAll").setPayload(readable(Schema.Struct({
      namespace: Namespace,
      agent: Agent,
      limit: Schema.optional(Schema.Int.pipe(Schema.between(1, 1000))),
      cursor: Schema.optional(Cursor)
    }).pipe(Schema.filter(cursorNeedsLimit)))).addSuccess(RecordsPage).annotate(OpenApi.Description, "Every record of the namespace, streamed; with `limit`, one page")
  )
  .add(op("clear").setPayload(readable(Schema.Struct({ namespace: Namespace, agent: Agent }))).addSuccess(ClearResult))
  .addError(NotFoundError)
  .addError(ConflictError)
  .addError(BadRequestError)
  .addError(DocumentTooLarge)
  .addError(DatabaseFailure)
  .addError(DatabaseUnavailable)
{}
