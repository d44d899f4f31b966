import { Schema } from "effect"

/** Gofannon's collection name, so that records migrated from it line up. */
export const DATA_STORE = "agent_data_store"

/** A record as the UI and the runtime see it (Gofannon's DataStoreRecord, plus `_rev`). */
export const DataRecord = Schema.Struct({
  _id: Schema.String,
  _rev: Schema.String,
  userId: Schema.String,
  namespace: Schema.String,
  key: Schema.String,
  value: Schema.Unknown,
  metadata: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  createdByAgent: Schema.NullOr(Schema.String),
  lastAccessedByAgent: Schema.NullOr(Schema.String),
  accessCount: Schema.Number,
  createdAt: Schema.NullOr(Schema.String),
  updatedAt: Schema.NullOr(Schema.String),
  lastAccessedAt: Schema.NullOr(Schema.String)
}).annotations({ identifier: "DataRecord" })
export type DataRecord = typeof DataRecord.Type

export const NamespaceStats = Schema.Struct({
  namespace: Schema.String,
  recordCount: Schema.Number,
  sizeBytes: Schema.Number,
  /** Agents that wrote or last read a record of the namespace, sorted. */
  agents: Schema.Array(Schema.String),
  updatedAt: Schema.NullOr(Schema.String)
}).annotations({ identifier: "NamespaceStats" })
export type NamespaceStats = typeof NamespaceStats.Type

export const NamespaceList = Schema.Struct({
  namespaces: Schema.Array(NamespaceStats),
  totalRecordCount: Schema.Number,
  totalSizeBytes: Schema.Number
}).annotations({ identifier: "NamespaceList" })
export type NamespaceList = typeof NamespaceList.Type

/** What a write carries: the value, metadata merged onto the stored metadata, and `_rev` for compare-and-set. */
export interface RecordWrite {
  readonly key: string
  readonly value: unknown
  readonly metadata?: Readonly<Record<string, unknown>> | null | undefined
  readonly _rev?: string | undefined
}

export type SetResult =
  | { readonly key: string; readonly ok: true; readonly _rev: string }
  | { readonly key: string; readonly ok: false; readonly error: "conflict" | "failed"; readonly reason: string }

export interface RecordPage {
  readonly records: ReadonlyArray<DataRecord>
  /** Where the next page starts; null after the last one. */
  readonly nextCursor: string | null
}

const shown = (text: string) => (text.length > 80 ? `${text.slice(0, 80)}…` : text)

export class RecordNotFound extends Schema.TaggedError<RecordNotFound>()("RecordNotFound", {
  namespace: Schema.String,
  key: Schema.String
}) {
  override get message(): string {
    return `Record '${shown(this.key)}' not found in '${shown(this.namespace)}'`
  }
}

/** A namespace, key, value or batch the data store will not take (HTTP 400). */
export class InvalidRecord extends Schema.TaggedError<InvalidRecord>()("InvalidRecord", {
  reason: Schema.String
}) {
  override get message(): string {
    return this.reason
  }
}

/** A record over the size every backend can store (HTTP 413). */
export class RecordTooLarge extends Schema.TaggedError<RecordTooLarge>()("RecordTooLarge", {
  key: Schema.String,
  bytes: Schema.Number,
  limit: Schema.Number
}) {
  override get message(): string {
    return `record '${shown(this.key)}' is ${this.bytes} bytes of JSON, over the data store's limit of ${this.limit}`
  }
}
