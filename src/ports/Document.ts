import type { Effect } from "effect"
import type { DatabaseError } from "./Errors.js"

/** A stored document as every backend returns it: its fields plus `_id` and an opaque `_rev`. */
export interface Document {
  readonly _id: string
  readonly _rev: string
  readonly [field: string]: unknown
}

/** What a caller hands to `save`: any JSON object; a `_rev` in it makes the write conditional. */
export type DocumentInput = { readonly _rev?: string | undefined; readonly [field: string]: unknown }

export interface SaveOptions {
  /** `upsert` (default): create or replace; `create`: only when no document has that id. */
  readonly mode?: "upsert" | "create" | undefined
  /** Write only if the stored revision is this one; overrides `_rev` in the document. */
  readonly expectedRev?: string | undefined
}

export interface SaveResult {
  readonly id: string
  readonly rev: string
}

export interface DeleteOptions {
  readonly expectedRev?: string | undefined
}

export interface StreamOptions {
  readonly pageSize?: number | undefined
}

/**
 * One page of a collection (what `stream` yields a chunk at a time) and, while there is more, the
 * read of the next page. Lets a caller that answers from the first page or two (a listing that
 * usually fits one page) read them as plain Effects, without running a Stream.
 */
export interface DocumentPage<A = Document, E = DatabaseError> {
  readonly items: ReadonlyArray<A>
  readonly next: Effect.Effect<DocumentPage<A, E>, E> | undefined
}

/** Equality on top-level fields. */
export type Selector = Readonly<Record<string, string | number | boolean | null>>

export interface FindOptions {
  /** Project to these fields; `_id` and `_rev` always come back. */
  readonly fields?: ReadonlyArray<string> | undefined
  /** At most this many documents; absent means every match. */
  readonly limit?: number | undefined
  /**
   * Only matches after the document with this id in the backend's paging order: id order on
   * memory, CouchDB and Firestore, scan order on DynamoDB. With `limit`, the last id of one page
   * continues with the next, each match exactly once, even when that document was deleted since.
   */
  readonly after?: string | undefined
}

/** A document for `saveMany`: `_id` names it, `_rev` (optional) makes its write conditional. */
export type BulkDocument = { readonly _id: string; readonly _rev?: string | undefined; readonly [field: string]: unknown }

export interface BulkSaveOptions {
  /** `upsert` (default): each document as `save` would write it; `create`: only where no document has its id. */
  readonly mode?: "upsert" | "create" | undefined
}

export type BulkResult =
  | { readonly id: string; readonly ok: true; readonly rev?: string | undefined }
  | {
    readonly id: string
    readonly ok: false
    readonly error: "conflict" | "invalid" | "failed"
    readonly reason: string
  }

/** A document's failed result in a bulk call. */
export const bulkFailure = (
  id: unknown,
  error: "conflict" | "invalid" | "failed",
  reason: string
): BulkResult => ({ id: String(id), ok: false, error, reason })

export const DEFAULT_PAGE_SIZE = 100
