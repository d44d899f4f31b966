import { Config, Effect, Layer } from "effect"
import type { ConfigError } from "effect/ConfigError"
import { DatabaseService } from "../ports/DatabaseService.js"
import { DatabaseError } from "../ports/Errors.js"
import * as CouchDbDatabase from "./couchdb/CouchDbDatabase.js"
import * as DynamoDbDatabase from "./dynamodb/DynamoDbDatabase.js"
import * as FirestoreDatabase from "./firestore/FirestoreDatabase.js"
import * as MemoryDatabase from "./MemoryDatabase.js"

export const PROVIDERS = ["memory", "couchdb", "firestore", "dynamodb"] as const
export type Provider = (typeof PROVIDERS)[number]

/** DATABASE_PROVIDER, default memory; anything else stops start-up listing the valid values. */
export const providerConfig: Config.Config<Provider> = Config.literal(...PROVIDERS)("DATABASE_PROVIDER").pipe(
  Config.withDefault("memory" as const)
)

const layers: Record<Provider, Layer.Layer<DatabaseService, ConfigError | DatabaseError>> = {
  memory: MemoryDatabase.layer,
  couchdb: CouchDbDatabase.layerConfig,
  firestore: FirestoreDatabase.layerConfig,
  dynamodb: DynamoDbDatabase.layerConfig
}

/**
 * The one DatabaseService of the process, picked from DATABASE_PROVIDER. Providing this layer
 * once at the top is what makes the backend a singleton: layers are memoised, not module state.
 */
export const layerFromConfig: Layer.Layer<DatabaseService, ConfigError | DatabaseError> = Layer.unwrapEffect(
  Effect.map(providerConfig, (provider) => layers[provider])
)
