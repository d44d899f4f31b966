import { Context } from "effect"
import type { Effect } from "effect"
import type { DatabaseError } from "./Errors.js"

/**
 * What a backend holds, as far as the backend itself can tell: the collections (under the
 * configured prefix, which is removed) and how many documents one holds. A port of its own, beside
 * DatabaseService, because only the migration tools need it.
 */
export interface CollectionCatalogShape {
  /** Every collection with a valid name, sorted; names that docport could not have written are left out. */
  readonly collections: Effect.Effect<ReadonlyArray<string>, DatabaseError>
  /**
   * How many documents the collection holds, when the backend says so cheaply (for progress);
   * an estimate on DynamoDB, whose ItemCount is refreshed about every six hours.
   */
  readonly count: (collection: string) => Effect.Effect<number | undefined, DatabaseError>
}

export class CollectionCatalog
  extends Context.Tag("docport/CollectionCatalog")<CollectionCatalog, CollectionCatalogShape>()
{}
