import { Effect, Layer } from "effect"
import { CollectionCatalog, type CollectionCatalogShape } from "../../ports/CollectionCatalog.js"
import type { DatabaseError } from "../../ports/Errors.js"
import { collectionsUnder } from "../catalogNames.js"
import { type FirestoreConnection, makeClient } from "./FirestoreClient.js"

/**
 * Firestore's root collections (listCollections) and a count() aggregation, which the server
 * answers without sending the documents. A client of its own, from the same connection options.
 */
export const make = (connection: FirestoreConnection) =>
  Effect.map(makeClient(connection), (client): CollectionCatalogShape => ({
    collections: client.call("collections", (db) => db.listCollections()).pipe(
      Effect.map((refs) => collectionsUnder("", refs.map((ref) => ref.id))),
      client.orDatabaseError("collections")
    ),
    count: (collection) =>
      client.call("count", (db) => db.collection(collection).count().get()).pipe(
        Effect.map((snapshot): number | undefined => snapshot.data().count),
        client.orDatabaseError("count")
      )
  }))

export const layer = (connection: FirestoreConnection): Layer.Layer<CollectionCatalog, DatabaseError> =>
  Layer.scoped(CollectionCatalog, make(connection))
