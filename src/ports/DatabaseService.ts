import { Context } from "effect"
import type { Effect, Stream } from "effect"
import type {
  BulkDocument,
  BulkSaveOptions,
  BulkResult,
  DeleteOptions,
  Document,
  DocumentPage,
  DocumentInput,
  FindOptions,
  SaveOptions,
  SaveResult,
  Selector,
  StreamOptions
} from "./Document.js"
import type { Conflict, DatabaseError, InvalidDocument, InvalidName, NotFound } from "./Errors.js"

/**
 * The database port, built from a backend's raw operations by makeDatabaseService. Every backend provides exactly this, with the same semantics, proven by the
 * contract suite in test/contract. Methods need nothing from the context and name their errors.
 */
export interface DatabaseServiceShape {
  /** Which backend this is, as named by DATABASE_PROVIDER. */
  readonly provider: string
  /** A cheap round trip proving the backend answers. */
  readonly ping: Effect.Effect<void, DatabaseError>
  readonly get: (collection: string, id: string) => Effect.Effect<Document, NotFound | InvalidName | DatabaseError>
  readonly save: (
    collection: string,
    id: string,
    doc: DocumentInput,
    options?: SaveOptions
  ) => Effect.Effect<SaveResult, Conflict | InvalidName | InvalidDocument | DatabaseError>
  readonly delete: (
    collection: string,
    id: string,
    options?: DeleteOptions
  ) => Effect.Effect<void, NotFound | Conflict | InvalidName | DatabaseError>
  readonly listAll: (collection: string) => Effect.Effect<ReadonlyArray<Document>, InvalidName | DatabaseError>
  /** Fetches page by page (default 100 a page); never holds the whole collection. */
  readonly stream: (collection: string, options?: StreamOptions) => Stream.Stream<Document, InvalidName | DatabaseError>
  /** The pages of `stream`, the same documents in the same order, each read when asked for. */
  readonly pages: (collection: string, options?: StreamOptions) => Effect.Effect<DocumentPage, InvalidName | DatabaseError>
  /** Matches in the backend's paging order (see FindOptions.after), so `limit` and `after` page through them. */
  readonly find: (
    collection: string,
    selector: Selector,
    options?: FindOptions
  ) => Effect.Effect<ReadonlyArray<Document>, InvalidName | DatabaseError>
  readonly ensureIndex: (collection: string, fields: ReadonlyArray<string>) => Effect.Effect<void, InvalidName | DatabaseError>
  /** Every requested id maps to its document, or to null when there is none. */
  readonly getMany: (
    collection: string,
    ids: ReadonlyArray<string>
  ) => Effect.Effect<ReadonlyMap<string, Document | null>, InvalidName | DatabaseError>
  /**
   * One result per document, in input order; a per-document conflict or invalid document is a result, not a failure.
   * With `mode: "create"`, each document is written only where no document has its id (a conflict result otherwise).
   */
  readonly saveMany: (
    collection: string,
    docs: ReadonlyArray<BulkDocument>,
    options?: BulkSaveOptions
  ) => Effect.Effect<ReadonlyArray<BulkResult>, InvalidName | DatabaseError>
  /** One result per id, in input order; a missing id counts as deleted. */
  readonly deleteMany: (
    collection: string,
    ids: ReadonlyArray<string>
  ) => Effect.Effect<ReadonlyArray<BulkResult>, InvalidName | DatabaseError>
}

export class DatabaseService extends Context.Tag("docport/DatabaseService")<DatabaseService, DatabaseServiceShape>() {}
