import type { Effect } from "effect"
import type { BulkResult, Document, Selector } from "./Document.js"
import type { Conflict, DatabaseError, NotFound } from "./Errors.js"

/**
 * A write the port has already checked: a valid id, and a body within DocumentLimits, without
 * `_id`/`_rev`. The body is a copy made for this write alone (storedBody), so a backend may keep
 * it or finish it in place.
 */
export interface StoredWrite {
  readonly id: string
  readonly body: Record<string, unknown>
  /** Write only over this revision (Conflict otherwise, also when nothing is stored); undefined: last writer wins. */
  readonly expectedRev: string | undefined
}

/** One page of a collection, in the backend's own order, and where the next one starts (undefined: none). */
export interface Page {
  readonly docs: ReadonlyArray<Document>
  readonly next: unknown
}

/**
 * What a backend implements: the operations that differ per backend, and nothing else. Names,
 * ids, fields and documents arrive validated; page sizes and limits are positive integers (a
 * limit may be Infinity); the port adds ordering, spans, metrics and every shared rule
 * (see makeDatabaseService). Every failure is typed; the adapter maps its vendor's statuses.
 */
export interface RawDatabase {
  /** As named by DATABASE_PROVIDER. */
  readonly provider: string
  readonly ping: Effect.Effect<void, DatabaseError>
  /** undefined when there is no such document (or collection). */
  readonly get: (collection: string, id: string) => Effect.Effect<Document | undefined, DatabaseError>
  /** The new revision. Conflict when create-only finds a document, or the expected revision is not the stored one. */
  readonly save: (
    collection: string,
    write: StoredWrite & { readonly create: boolean }
  ) => Effect.Effect<string, Conflict | DatabaseError>
  readonly delete: (
    collection: string,
    id: string,
    expectedRev: string | undefined
  ) => Effect.Effect<void, NotFound | Conflict | DatabaseError>
  /** A page of at most `size` documents after `cursor` (undefined: the first page). */
  readonly page: (collection: string, size: number, cursor: unknown) => Effect.Effect<Page, DatabaseError>
  /** The page size listAll reads with (default 1000). */
  readonly listPageSize?: number | undefined
  /**
   * Equality on every selector field, at most `limit` documents; `fields` may be honoured natively
   * or not. With a limit or `after`, matches come in the backend's paging order (id order, or
   * DynamoDB's scan order), starting past the document with id `after`.
   */
  readonly find: (
    collection: string,
    selector: Selector,
    fields: ReadonlyArray<string> | undefined,
    limit: number,
    after: string | undefined
  ) => Effect.Effect<ReadonlyArray<Document>, DatabaseError>
  readonly ensureIndex: (collection: string, fields: ReadonlyArray<string>) => Effect.Effect<void, DatabaseError>
  /** The documents found among distinct, non-empty `ids`. */
  readonly getMany: (collection: string, ids: ReadonlyArray<string>) => Effect.Effect<ReadonlyMap<string, Document>, DatabaseError>
  /**
   * One result per write, in order; the same id may appear twice and the later write must land last.
   * A `create` write never carries an expected revision, and is a conflict result where a document has its id.
   */
  readonly saveMany: (collection: string, writes: ReadonlyArray<StoredWrite & { readonly create: boolean }>) => Effect.Effect<ReadonlyArray<BulkResult>, DatabaseError>
  /** One result per id of distinct `ids`, in order; a missing id is deleted already. */
  readonly deleteMany: (collection: string, ids: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<BulkResult>, DatabaseError>
}
