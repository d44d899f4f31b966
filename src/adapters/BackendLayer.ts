import { Config, Effect, Layer } from "effect"
import type { ConfigError } from "effect/ConfigError"
import type { CollectionCatalog } from "../ports/CollectionCatalog.js"
import type { DatabaseService } from "../ports/DatabaseService.js"
import type { DatabaseError } from "../ports/Errors.js"
import type { Provider } from "./Providers.js"

export type Backend = DatabaseService | CollectionCatalog

interface BackendModule<A> {
  readonly options: Config.Config<A>
  readonly layer: (options: A) => Layer.Layer<Backend, DatabaseError>
}

// Imported when chosen: a command naming CouchDB never loads the AWS or Firebase SDKs.
const modules = {
  memory: () => import("./MemoryCatalog.js").then((m) => ({ options: Config.succeed(undefined), layer: () => m.layer })),
  couchdb: () => import("./couchdb/CouchDbBackend.js"),
  dynamodb: () => import("./dynamodb/DynamoDbBackend.js"),
  firestore: () => import("./firestore/FirestoreBackend.js")
} satisfies Record<Provider, () => Promise<BackendModule<any>>>

/**
 * A backend's DatabaseService and CollectionCatalog, configured by the service's variables, or by
 * the same variables behind a prefix (`SOURCE` reads SOURCE_COUCHDB_URL...) when two backends meet.
 */
export const backendLayer = (provider: Provider, prefix?: string): Layer.Layer<Backend, ConfigError | DatabaseError> =>
  Layer.unwrapEffect(
    Effect.gen(function*() {
      const module: BackendModule<unknown> = yield* Effect.promise(modules[provider])
      if (prefix === undefined) return module.layer(yield* module.options)
      // Messages then name the variables as they were set (SOURCE_COUCHDB_URL, not COUCHDB_URL).
      const options = yield* Config.nested(module.options, prefix)
      return module.layer(typeof options === "object" && options !== null ? { ...options, variablePrefix: `${prefix}_` } : options)
    })
  )
