import { Config, Duration, Effect, Layer, type Scope } from "effect"
import type { ConfigError } from "effect/ConfigError"
import { DatabaseService, type DatabaseServiceShape } from "../../ports/DatabaseService.js"
import { databaseTimeoutConfig } from "../../ports/DatabaseTimeout.js"
import { DatabaseError } from "../../ports/Errors.js"
import { makeDatabaseService } from "../../ports/makeDatabaseService.js"
import type { RawDatabase } from "../../ports/RawDatabase.js"
import { bulkOperations } from "./CouchDbBulk.js"
import { type CouchClient, type CouchDbConnection, makeClient } from "./CouchDbClient.js"
import { makeCollections } from "./CouchDbCollections.js"
import { documentOperations } from "./CouchDbDocuments.js"
import { queryOperations } from "./CouchDbQueries.js"
import { decode, Session } from "./CouchDbResponses.js"

export interface CouchDbOptions extends CouchDbConnection {
  /** How long start-up waits for the server to answer the credential check (default 10 seconds). */
  readonly startupTimeout?: Duration.DurationInput | undefined
  /**
   * Put before every collection's database name, so that several deployments (or test runs) can
   * share one server. Lowercase letters, digits, '_' and '-', starting with a letter.
   */
  readonly databasePrefix?: string | undefined
}

/** Proves the server answers and knows us: without valid credentials, _session answers anonymously. */
const checkSession = (client: CouchClient, operation: string): Effect.Effect<void, DatabaseError> =>
  client.request(operation, { path: "_session" }).pipe(
    Effect.flatMap(decode(operation, Session)),
    Effect.filterOrFail(
      ({ userCtx }) => userCtx.name === client.username,
      () =>
        new DatabaseError({
          operation,
          message: `authentication failed: ${client.server} did not accept the user of ${client.variable("COUCHDB_USER")}`
        })
    ),
    Effect.asVoid,
    client.orDatabaseError(operation)
  )

/**
 * The CouchDB backend's raw operations: one database per collection, revisions are CouchDB's own
 * `_rev`. Start-up fails unless the server answers and accepts the credentials.
 */
export const makeRaw = (options: CouchDbOptions): Effect.Effect<RawDatabase, DatabaseError, Scope.Scope> =>
  Effect.gen(function*() {
    const prefix = options.databasePrefix ?? ""
    if (prefix !== "" && !/^[a-z][a-z0-9_-]{0,63}$/.test(prefix)) {
      return yield* new DatabaseError({
        operation: "startup",
        message: `${options.variablePrefix ?? ""}COUCHDB_DATABASE_PREFIX must be lowercase letters, digits, '_' or '-', starting with a letter`
      })
    }
    const client = yield* makeClient(options)
    const startupTimeout = Duration.decode(options.startupTimeout ?? "10 seconds")
    yield* checkSession(client, "startup").pipe(
      Effect.timeoutFail({
        duration: startupTimeout,
        onTimeout: () =>
          new DatabaseError({
            operation: "startup",
            message: `${client.server} did not answer within ${Duration.format(startupTimeout)}`,
            unavailable: true
          })
      }),
      Effect.mapError((error) =>
        new DatabaseError({
          operation: "startup",
          message: `cannot start the couchdb backend: ${error.message}`,
          unavailable: error.unavailable,
          cause: error.cause
        })
      )
    )
    const collections = makeCollections(client, prefix)
    return {
      provider: "couchdb",
      ping: checkSession(client, "ping"),
      ...documentOperations(client, collections),
      ...queryOperations(client, collections),
      ...bulkOperations(client, collections)
    }
  })

/** The CouchDB backend: its raw operations under the port's shared rules. */
export const make = (options: CouchDbOptions): Effect.Effect<DatabaseServiceShape, DatabaseError, Scope.Scope> =>
  Effect.map(makeRaw(options), (raw) => makeDatabaseService(raw))

export const layer = (options: CouchDbOptions): Layer.Layer<DatabaseService, DatabaseError> =>
  Layer.scoped(DatabaseService, make(options))

/**
 * COUCHDB_URL, COUCHDB_USER and COUCHDB_PASSWORD (redacted), required: a missing one stops start-up
 * naming it. COUCHDB_DATABASE_PREFIX is optional; DATABASE_TIMEOUT bounds each request.
 */
/** The service's CouchDB variables as options; the CLI reads the same ones (behind a prefix). */
export const optionsConfig: Config.Config<CouchDbOptions> = Config.all({
  url: Config.nonEmptyString("COUCHDB_URL"),
  username: Config.nonEmptyString("COUCHDB_USER"),
  password: Config.redacted("COUCHDB_PASSWORD"),
  databasePrefix: Config.string("COUCHDB_DATABASE_PREFIX").pipe(Config.withDefault("")),
  requestTimeout: databaseTimeoutConfig
})

export const layerConfig: Layer.Layer<DatabaseService, ConfigError | DatabaseError> = Layer.unwrapEffect(
  Effect.map(optionsConfig, layer)
)
