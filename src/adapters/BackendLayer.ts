import { Config, Layer, Option } from "effect"
import type { ConfigError } from "effect/ConfigError"
import type { CollectionCatalog } from "../ports/CollectionCatalog.js"
import type { DatabaseService } from "../ports/DatabaseService.js"
import type { DatabaseError } from "../ports/Errors.js"
import * as CouchDbCatalog from "./couchdb/CouchDbCatalog.js"
import * as CouchDbDatabase from "./couchdb/CouchDbDatabase.js"
import type { Provider } from "./DatabaseLayer.js"
import * as DynamoDbCatalog from "./dynamodb/DynamoDbCatalog.js"
import { TABLE_PREFIX_RULE, tablePrefixProblem } from "./dynamodb/DynamoDbClient.js"
import * as DynamoDbDatabase from "./dynamodb/DynamoDbDatabase.js"
import * as FirestoreCatalog from "./firestore/FirestoreCatalog.js"
import * as FirestoreDatabase from "./firestore/FirestoreDatabase.js"
import * as MemoryCatalog from "./MemoryCatalog.js"

// The service's own variables (see each adapter's layerConfig), read here as options so that one
// reading configures both the DatabaseService and the CollectionCatalog of a backend.

export const couchDbOptions: Config.Config<CouchDbDatabase.CouchDbOptions> = Config.all({
  url: Config.nonEmptyString("COUCHDB_URL"),
  username: Config.nonEmptyString("COUCHDB_USER"),
  password: Config.redacted("COUCHDB_PASSWORD"),
  databasePrefix: Config.string("COUCHDB_DATABASE_PREFIX").pipe(Config.withDefault(""))
})

export const dynamoDbOptions: Config.Config<DynamoDbDatabase.DynamoDbOptions> = Config.map(
  Config.all({
    region: Config.string("DYNAMODB_REGION").pipe(Config.withDefault("us-east-1")),
    endpoint: Config.option(
      Config.string("DYNAMODB_ENDPOINT_URL").pipe(Config.validate({ message: "must be a URL", validation: (url) => URL.canParse(url) }))
    ),
    tablePrefix: Config.string("DYNAMODB_TABLE_PREFIX").pipe(
      Config.validate({ message: TABLE_PREFIX_RULE, validation: (prefix) => tablePrefixProblem(prefix) === undefined }),
      Config.withDefault("")
    )
  }),
  ({ endpoint, region, tablePrefix }) => ({ region, tablePrefix, endpoint: Option.getOrUndefined(endpoint) })
)

export const firestoreOptions: Config.Config<FirestoreDatabase.FirestoreOptions> = Config.map(
  Config.all({
    projectId: Config.nonEmptyString("FIRESTORE_PROJECT_ID").pipe(
      Config.orElse(() => Config.nonEmptyString("GOOGLE_CLOUD_PROJECT"))
    ),
    emulatorHost: Config.option(Config.nonEmptyString("FIRESTORE_EMULATOR_HOST"))
  }),
  ({ emulatorHost, projectId }) => ({ projectId, emulatorHost: Option.getOrUndefined(emulatorHost) })
)

export type Backend = DatabaseService | CollectionCatalog

const fromConfig = <A>(
  config: Config.Config<A>,
  prefix: string | undefined,
  make: (options: A) => Layer.Layer<Backend, DatabaseError>
): Layer.Layer<Backend, ConfigError | DatabaseError> =>
  Layer.unwrapEffect(Config.map(prefix === undefined ? config : Config.nested(config, prefix), make))

/**
 * A backend's DatabaseService and CollectionCatalog, configured by the service's variables, or by
 * the same variables behind a prefix (`SOURCE` reads SOURCE_COUCHDB_URL...) when two backends meet.
 */
export const backendLayer = (provider: Provider, prefix?: string): Layer.Layer<Backend, ConfigError | DatabaseError> => {
  switch (provider) {
    case "memory":
      return MemoryCatalog.layer
    case "couchdb":
      return fromConfig(couchDbOptions, prefix, (o) => Layer.merge(CouchDbDatabase.layer(o), CouchDbCatalog.layer(o)))
    case "dynamodb":
      return fromConfig(dynamoDbOptions, prefix, (o) => Layer.merge(DynamoDbDatabase.layer(o), DynamoDbCatalog.layer(o)))
    case "firestore":
      return fromConfig(firestoreOptions, prefix, (o) => Layer.merge(FirestoreDatabase.layer(o), FirestoreCatalog.layer(o)))
  }
}
