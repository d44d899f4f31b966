import { Config, Effect, Layer } from "effect"
import type { ConfigError } from "effect/ConfigError"
import type { DatabaseService } from "../ports/DatabaseService.js"
import type { DatabaseError } from "../ports/Errors.js"

export const PROVIDERS = ["memory", "couchdb", "firestore", "dynamodb"] as const
export type Provider = (typeof PROVIDERS)[number]

/** DATABASE_PROVIDER, default memory; anything else stops start-up listing the valid values. */
export const providerConfig: Config.Config<Provider> = Config.literal(...PROVIDERS)("DATABASE_PROVIDER").pipe(
  Config.withDefault("memory" as const)
)

type DatabaseLayer = Layer.Layer<DatabaseService, ConfigError | DatabaseError>

// Imported only when chosen, so that a process never loads the SDKs of the backends it does not use.
const layers: Record<Provider, () => Promise<DatabaseLayer>> = {
  memory: () => import("./MemoryDatabase.js").then((m) => m.layer),
  couchdb: () => import("./couchdb/CouchDbDatabase.js").then((m) => m.layerConfig),
  firestore: () => import("./firestore/FirestoreDatabase.js").then((m) => m.layerConfig),
  dynamodb: () => import("./dynamodb/DynamoDbDatabase.js").then((m) => m.layerConfig)
}

/**
 * The one DatabaseService of the process, picked from DATABASE_PROVIDER. Providing this layer
 * once at the top is what makes the backend a singleton: layers are memoised, not module state.
 */
export const layerFromConfig: DatabaseLayer = Layer.unwrapEffect(
  Effect.flatMap(providerConfig, (provider) => Effect.promise(layers[provider]))
)
