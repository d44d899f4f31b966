import { Config, Duration, Effect, Layer, Option, type Scope } from "effect"
import type { ConfigError } from "effect/ConfigError"
import { DatabaseService, type DatabaseServiceShape } from "../../ports/DatabaseService.js"
import { databaseTimeoutConfig } from "../../ports/DatabaseTimeout.js"
import { DatabaseError } from "../../ports/Errors.js"
import { makeDatabaseService } from "../../ports/makeDatabaseService.js"
import type { RawDatabase } from "../../ports/RawDatabase.js"
import { bulkOperations } from "./FirestoreBulk.js"
import { type FirestoreClient, type FirestoreConnection, makeClient } from "./FirestoreClient.js"
import { documentOperations } from "./FirestoreDocuments.js"
import { queryOperations } from "./FirestoreQueries.js"

export interface FirestoreOptions extends FirestoreConnection {
  /** How long start-up waits for Firestore to answer (default 10 seconds). */
  readonly startupTimeout?: Duration.DurationInput | undefined
}

/**
 * An empty commit: one round trip that proves Firestore (or the emulator) answers and accepts our
 * credentials for this database, reads and writes nothing, and, being a commit, is not retried
 * past its deadline (see FirestoreDeadlines), so a failed start-up does not linger.
 */
const probe = (client: FirestoreClient, operation: string, timeout?: Duration.Duration) =>
  client.call(operation, (db) => db.batch().commit(), timeout).pipe(Effect.asVoid, client.orDatabaseError(operation))

/**
 * The Firestore backend's raw operations: a collection per collection, a document per document,
 * and the document's update time as its revision. Start-up fails unless Firestore answers in time.
 */
export const makeRaw = (options: FirestoreOptions): Effect.Effect<RawDatabase, DatabaseError, Scope.Scope> =>
  Effect.gen(function*() {
    const client = yield* makeClient(options)
    yield* probe(client, "startup", Duration.decode(options.startupTimeout ?? "10 seconds")).pipe(
      Effect.mapError((error) =>
        new DatabaseError({
          operation: "startup",
          message: `cannot start the firestore backend: ${error.message}`,
          unavailable: error.unavailable,
          cause: error.cause
        })
      )
    )
    return {
      provider: "firestore",
      ping: probe(client, "ping"),
      ...documentOperations(client),
      ...queryOperations(client),
      ...bulkOperations(client)
    }
  })

/** The Firestore backend: its raw operations under the port's shared rules. */
export const make = (options: FirestoreOptions): Effect.Effect<DatabaseServiceShape, DatabaseError, Scope.Scope> =>
  Effect.map(makeRaw(options), (raw) => makeDatabaseService(raw))

export const layer = (options: FirestoreOptions): Layer.Layer<DatabaseService, DatabaseError> =>
  Layer.scoped(DatabaseService, make(options))

/**
 * FIRESTORE_PROJECT_ID (or GOOGLE_CLOUD_PROJECT), and FIRESTORE_EMULATOR_HOST for an emulator.
 * Without an emulator, credentials come from GOOGLE_APPLICATION_CREDENTIALS or the other
 * application default sources, read by the SDK itself. DATABASE_TIMEOUT bounds each call.
 */
/** The service's Firestore variables as options; the CLI reads the same ones (behind a prefix). */
export const optionsConfig: Config.Config<FirestoreOptions> = Config.map(
  Config.all({
    projectId: Config.nonEmptyString("FIRESTORE_PROJECT_ID").pipe(
      Config.orElse(() => Config.nonEmptyString("GOOGLE_CLOUD_PROJECT"))
    ),
    emulatorHost: Config.option(Config.nonEmptyString("FIRESTORE_EMULATOR_HOST")),
    requestTimeout: databaseTimeoutConfig
  }),
  ({ emulatorHost, projectId, requestTimeout }) => ({ projectId, emulatorHost: Option.getOrUndefined(emulatorHost), requestTimeout })
)

export const layerConfig: Layer.Layer<DatabaseService, ConfigError | DatabaseError> = Layer.unwrapEffect(
  Effect.map(optionsConfig, layer)
)
