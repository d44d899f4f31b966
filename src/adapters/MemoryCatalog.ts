import { Context, Effect, Layer } from "effect"
import { CollectionCatalog, type CollectionCatalogShape } from "../ports/CollectionCatalog.js"
import { DatabaseService, type DatabaseServiceShape } from "../ports/DatabaseService.js"
import * as MemoryDatabase from "./MemoryDatabase.js"

/**
 * The memory backend with a catalog. Its tables are private to the adapter, so the collections are
 * those written through this layer's service that still hold documents: memory lives and dies with
 * the process, so only writers in this process can have filled it anyway.
 */
export const layer: Layer.Layer<DatabaseService | CollectionCatalog> = Layer.effectContext(
  Effect.map(MemoryDatabase.make, (inner) => {
    const written = new Set<string>()
    const noting = <A, E>(collection: string, write: Effect.Effect<A, E>) =>
      Effect.tap(write, () => Effect.sync(() => written.add(collection)))
    const db: DatabaseServiceShape = {
      ...inner,
      save: (collection, id, doc, options) => noting(collection, inner.save(collection, id, doc, options)),
      saveMany: (collection, docs) => noting(collection, inner.saveMany(collection, docs))
    }
    // Memory never fails a listing of a collection name it accepted once.
    const count = (collection: string) => Effect.map(Effect.orDie(inner.listAll(collection)), (docs) => docs.length)
    const catalog: CollectionCatalogShape = {
      collections: Effect.suspend(() =>
        Effect.filter([...written].sort(), (collection) => Effect.map(count(collection), (n) => n > 0))
      ),
      count
    }
    return Context.make(DatabaseService, db).pipe(Context.add(CollectionCatalog, catalog))
  })
)
