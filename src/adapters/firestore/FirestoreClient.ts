import { Data, Duration, Effect, type Scope } from "effect"
import { type App, type Credential, deleteApp, initializeApp } from "firebase-admin/app"
import { type Firestore, GrpcStatus, initializeFirestore } from "firebase-admin/firestore"
import { randomUUID } from "node:crypto"
import { abortController, boundedCall, DEFAULT_DATABASE_TIMEOUT } from "../../ports/DatabaseTimeout.js"
import { DatabaseError } from "../../ports/Errors.js"
import { isUnreachable } from "../unreachable.js"
import { withoutAddresses } from "../withoutAddresses.js"
import { deadlineSettings, withDeadline } from "./FirestoreDeadlines.js"

export interface FirestoreConnection {
  readonly projectId: string
  /** host:port of a Firestore emulator; absent means Google's service with application default credentials. */
  readonly emulatorHost?: string | undefined
  /** Credentials other than the application default ones (ignored with an emulator). */
  readonly credential?: Credential | undefined
  /** One SDK call, with all the retries the SDK makes inside it. Default DATABASE_TIMEOUT's, 2 seconds. */
  readonly requestTimeout?: Duration.DurationInput | undefined
  /** Before each variable a message names: `SOURCE_` where the CLI read SOURCE_FIRESTORE_EMULATOR_HOST. */
  readonly variablePrefix?: string | undefined
}

/** Firestore answered with a gRPC status the adapter may turn into NotFound or Conflict. Never leaves the adapter. */
export class FirestoreStatus extends Data.TaggedError("FirestoreStatus")<{
  readonly code: GrpcStatus
  readonly details: string
}> {
  override get message(): string {
    return `${GrpcStatus[this.code] ?? this.code}: ${this.details}`
  }
}

export type FirestoreFailure = FirestoreStatus | DatabaseError

export const hasStatus = (...codes: ReadonlyArray<GrpcStatus>) => (failure: FirestoreFailure): boolean =>
  failure._tag === "FirestoreStatus" && codes.includes(failure.code)

// Statuses meaning "not now" rather than "no": the HTTP edge reports them as 503.
const UNAVAILABLE = new Set([GrpcStatus.UNAVAILABLE, GrpcStatus.RESOURCE_EXHAUSTED])
// How a call ends when it ran out of time: its deadline passed, or an attempt started past it
// was cancelled (see FirestoreDeadlines), which can happen a moment before the Effect's own timer fires.
const OUT_OF_TIME = new Set([GrpcStatus.DEADLINE_EXCEEDED, GrpcStatus.CANCELLED])

export interface FirestoreClient {
  readonly db: Firestore
  /** The emulator's host:port or Google's endpoint, with the project, for messages. */
  readonly endpoint: string
  /** One SDK call, bounded by the request timeout (or the one given) and failing with the gRPC status or a DatabaseError. */
  readonly call: <A>(
    operation: string,
    run: (db: Firestore) => Promise<A>,
    timeout?: Duration.Duration
  ) => Effect.Effect<A, FirestoreFailure>
  /** A status the adapter did not turn into NotFound or Conflict becomes a DatabaseError. */
  readonly orDatabaseError: (
    operation: string
  ) => <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, Exclude<E, FirestoreStatus> | DatabaseError, R>
}

const detailsOf = (cause: unknown): string => {
  const { details, message } = (cause ?? {}) as { details?: unknown; message?: unknown }
  const text = withoutAddresses(typeof details === "string" && details !== "" ? details : typeof message === "string" ? message : String(cause))
  return text.length > 300 ? `${text.slice(0, 300)}…` : text
}

const codeOf = (cause: unknown): GrpcStatus | undefined => {
  const code = (cause as { code?: unknown } | null)?.code
  return typeof code === "number" && GrpcStatus[code] !== undefined ? code : undefined
}

const CLOSE_TIMEOUT = Duration.seconds(5)

// firebase-admin lets FIRESTORE_EMULATOR_HOST override any host given in code, silently.
const environmentEmulatorHost = (): string | undefined => process.env.FIRESTORE_EMULATOR_HOST || undefined

/**
 * A named firebase-admin app of its own (never the global default app) and its Firestore client,
 * both closed when the scope closes. With an emulator host the client speaks plain gRPC to it, as
 * the SDK does under FIRESTORE_EMULATOR_HOST, without touching the process environment.
 */
export const makeClient = (connection: FirestoreConnection): Effect.Effect<FirestoreClient, DatabaseError, Scope.Scope> =>
  Effect.gen(function*() {
    const overriding = environmentEmulatorHost()
    if (overriding !== undefined && connection.emulatorHost !== undefined && overriding !== connection.emulatorHost) {
      return yield* new DatabaseError({
        operation: "startup",
        message: "FIRESTORE_EMULATOR_HOST names another emulator than the one configured, and would override it: " +
          "firebase-admin always prefers the variable; unset it or make them agree"
      })
    }
    const emulatorHost = connection.emulatorHost ?? overriding
    // Named by the variable that holds its address, never the address (see withoutAddresses.ts).
    const endpoint = `${emulatorHost === undefined ? "Google Cloud" : `the emulator of ${connection.variablePrefix ?? ""}FIRESTORE_EMULATOR_HOST`} (project ${connection.projectId})`
    const requestTimeout = Duration.decode(connection.requestTimeout ?? DEFAULT_DATABASE_TIMEOUT)
    const setupError = (cause: unknown) =>
      new DatabaseError({ operation: "startup", message: `cannot set up Firestore for ${endpoint}: ${detailsOf(cause)}`, cause })

    const app = yield* Effect.acquireRelease(
      Effect.try({
        try: (): App =>
          initializeApp(
            {
              projectId: connection.projectId,
              ...(connection.credential !== undefined && emulatorHost === undefined ? { credential: connection.credential } : {})
            },
            `docport-${randomUUID()}`
          ),
        catch: setupError
      }),
      (app) => Effect.ignore(Effect.tryPromise(() => deleteApp(app)))
    )
    const db = yield* Effect.acquireRelease(
      Effect.try({
        try: () => {
          const firestore = initializeFirestore(app)
          firestore.settings({
            ...deadlineSettings,
            // Naming the universe keeps google-auth from probing the GCE metadata server for it,
            // which it would do before the first call although the emulator needs no credentials.
            ...(emulatorHost === undefined ? {} : { host: emulatorHost, ssl: false, universeDomain: "googleapis.com" })
          })
          return firestore
        },
        catch: setupError
      }),
      // Deleting the app leaves the Firestore client open, so it is terminated here. Termination
      // waits for calls still retrying in the background, hence the bound, which must be able to
      // interrupt (a finalizer is uninterruptible otherwise).
      (firestore) =>
        Effect.tryPromise({ try: () => firestore.terminate(), catch: (cause) => cause }).pipe(
          Effect.interruptible,
          Effect.timeout(CLOSE_TIMEOUT),
          Effect.catchAll((cause) =>
            Effect.logWarning(`closing the Firestore client for ${endpoint} did not complete: ${detailsOf(cause)}`)
          )
        )
    )

    const noAnswer = (operation: string, timeout: Duration.Duration, cause?: unknown) =>
      new DatabaseError({
        operation,
        message: `Firestore ${operation} at ${endpoint}: no answer within ${Duration.format(timeout)}`,
        unavailable: true,
        cause
      })

    const classify = (operation: string, timeout: Duration.Duration, cause: unknown): FirestoreFailure => {
      const code = codeOf(cause)
      if (code !== undefined && OUT_OF_TIME.has(code)) return noAnswer(operation, timeout, cause)
      if (code !== undefined && !UNAVAILABLE.has(code)) return new FirestoreStatus({ code, details: detailsOf(cause) })
      return new DatabaseError({
        operation,
        message: `Firestore ${operation} at ${endpoint} failed: ${detailsOf(cause)}`,
        unavailable: code !== undefined || isUnreachable(cause),
        cause
      })
    }

    const call: FirestoreClient["call"] = (operation, run, timeout = requestTimeout) =>
      boundedCall({
        timeout,
        abortable: abortController,
        try: (signal) => withDeadline(Duration.toMillis(timeout), signal, () => run(db)),
        catch: (cause) => classify(operation, timeout, cause),
        onTimeout: () => noAnswer(operation, timeout)
      })

    const orDatabaseError: FirestoreClient["orDatabaseError"] = (operation) => (self) =>
      Effect.mapError(self, (failure) =>
        failure instanceof FirestoreStatus
          ? new DatabaseError({
            operation,
            message: `Firestore ${operation} at ${endpoint} failed: ${failure.message}`,
            cause: failure
          })
          : failure as Exclude<typeof failure, FirestoreStatus>)

    return { db, endpoint, call, orDatabaseError }
  })
