import { Effect, Layer, Schema } from "effect"
import { CollectionCatalog, type CollectionCatalogShape } from "../../ports/CollectionCatalog.js"
import type { DatabaseError } from "../../ports/Errors.js"
import { hasStatus, makeClient, recover } from "./CouchDbClient.js"
import type { CouchDbOptions } from "./CouchDbDatabase.js"
import { decode } from "./CouchDbResponses.js"
import { collectionsUnder } from "../catalogNames.js"

const AllDbs = Schema.Array(Schema.String)
const DatabaseInfo = Schema.Struct({ doc_count: Schema.Number })

/**
 * CouchDB's `_all_dbs`, keeping the databases under the prefix. A client of its own (one keep-alive
 * pool more), so that the DatabaseService adapter stays as it is.
 */
export const make = (options: CouchDbOptions) =>
  Effect.map(makeClient(options), (client): CollectionCatalogShape => {
    const prefix = options.databasePrefix ?? ""
    return {
      collections: client.request("collections", { path: "_all_dbs" }).pipe(
        Effect.flatMap(decode("collections", AllDbs)),
        Effect.map((names) => collectionsUnder(prefix, names)),
        client.orDatabaseError("collections")
      ),
      count: (collection) =>
        client.request("count", { db: prefix + collection }).pipe(
          Effect.flatMap(decode("count", DatabaseInfo)),
          Effect.map((info): number | undefined => info.doc_count),
          recover(hasStatus(404), () => Effect.succeed(0)),
          client.orDatabaseError("count")
        ) as Effect.Effect<number | undefined, DatabaseError>
    }
  })

export const layer = (options: CouchDbOptions): Layer.Layer<CollectionCatalog, DatabaseError> =>
  Layer.scoped(CollectionCatalog, make(options))
