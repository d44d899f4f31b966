import { Agent } from "@effect/platform-node/Undici"
import { Data, Duration, Effect, Redacted, type Scope } from "effect"
import nano from "nano"
import { abortController, boundedCall, DEFAULT_DATABASE_TIMEOUT } from "../../ports/DatabaseTimeout.js"
import { DatabaseError } from "../../ports/Errors.js"
import { withoutAddresses } from "../withoutAddresses.js"

export interface CouchDbConnection {
  /** Server URL, e.g. http://127.0.0.1:5984 (a path prefix behind a proxy is kept). */
  readonly url: string | URL
  readonly username: string
  readonly password: Redacted.Redacted<string>
  /** Longest wait for one HTTP request before it counts as unreachable (default DATABASE_TIMEOUT's, 2 seconds). */
  readonly requestTimeout?: Duration.DurationInput | undefined
  /** Before each variable a message names: `SOURCE_` where the CLI read SOURCE_COUCHDB_URL. */
  readonly variablePrefix?: string | undefined
}

/** CouchDB answered with an error status. Never leaves the adapter: it becomes NotFound, Conflict or DatabaseError. */
export class CouchStatus extends Data.TaggedError("CouchStatus")<{
  readonly status: number
  readonly error: string
  readonly reason: string
}> {
  override get message(): string {
    return `${this.status} ${this.error}: ${this.reason}`
  }
}

export type CouchFailure = CouchStatus | DatabaseError

export const hasStatus = (status: number) => (failure: unknown): boolean =>
  failure instanceof CouchStatus && failure.status === status

/** Replaces the failures `matches` picks (a CouchDB status, typically); every other failure stays. */
export const recover = <A2, E2>(matches: (failure: unknown) => boolean, f: () => Effect.Effect<A2, E2>) =>
<A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A | A2, E | E2, R> =>
  Effect.catchAll(self, (failure): Effect.Effect<A2, E | E2> => matches(failure) ? f() : Effect.fail(failure))

export interface RequestOptions {
  readonly method?: "GET" | "PUT" | "POST" | "DELETE"
  readonly db?: string
  readonly doc?: string
  readonly path?: string
  readonly qs?: Record<string, unknown>
  readonly body?: unknown
}

export interface CouchClient {
  readonly username: string
  /**
   * How messages name the server: by the variable that holds its URL, never the URL itself (see
   * withoutAddresses.ts), which the operator has and nobody reading a log needs.
   */
  readonly server: string
  /** A variable's name as this client was configured by it (behind the CLI's prefix, say). */
  readonly variable: (name: string) => string
  readonly request: (operation: string, options: RequestOptions) => Effect.Effect<unknown, CouchFailure>
  /** A CouchStatus left over after the adapter handled the ones it knows becomes a DatabaseError. */
  readonly toDatabaseError: (operation: string) => (failure: CouchFailure) => DatabaseError
  readonly orDatabaseError: (
    operation: string
  ) => <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, Exclude<E, CouchStatus> | DatabaseError, R>
}

/** The server URL as given to nano: without credentials, query or trailing slash. */
const endpointOf = (url: string | URL): string | undefined => {
  let parsed: URL
  try {
    parsed = new URL(String(url))
  } catch {
    return undefined
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return undefined
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, "")}`
}

interface NanoFailure {
  readonly statusCode?: unknown
  readonly error?: unknown
  readonly reason?: unknown
  readonly message?: unknown
}

/**
 * nano rejects with a plain Error carrying `statusCode` when CouchDB answered, and with a message-only
 * Error ("error happened in your connection") when no response came back at all.
 */
const classify = (
  client: { server: string; variable: (name: string) => string; scrub: (text: string) => string },
  operation: string,
  cause: unknown
): CouchFailure => {
  const failure = (cause ?? {}) as NanoFailure
  if (typeof failure.statusCode === "number") {
    const status = new CouchStatus({
      status: failure.statusCode,
      error: client.scrub(typeof failure.error === "string" ? failure.error : "unknown"),
      reason: client.scrub(typeof failure.reason === "string" ? failure.reason : String(failure.message ?? ""))
    })
    if (status.status === 401 || status.status === 403) {
      return new DatabaseError({
        operation,
        message: `authentication failed: ${client.server} rejected the user of ${client.variable("COUCHDB_USER")} (${status.message})`,
        cause: status
      })
    }
    return status
  }
  const message = client.scrub((typeof failure.message === "string" ? failure.message : String(cause))
    .replace("error happened in your connection. Reason: ", ""))
  return new DatabaseError({
    operation,
    message: `${client.server} could not be reached: ${message}`,
    // nano drops the error code, so a missing status is what says the request never got an answer.
    unavailable: true,
    cause
  })
}

/**
 * One nano client for the process, over its own keep-alive connection pool, closed with the scope.
 * Requests go through `relax` because it is the one nano entry point that forwards an AbortSignal:
 * a timed-out or interrupted request is cancelled on the socket, not left running.
 */
export const makeClient = (connection: CouchDbConnection): Effect.Effect<CouchClient, DatabaseError, Scope.Scope> =>
  Effect.gen(function*() {
    const variable = (name: string) => `${connection.variablePrefix ?? ""}${name}`
    const label = `CouchDB (${variable("COUCHDB_URL")})`
    const endpoint = endpointOf(connection.url)
    if (endpoint === undefined) {
      return yield* new DatabaseError({ operation: "startup", message: `${variable("COUCHDB_URL")} must be an http:// or https:// URL` })
    }
    const timeout = Duration.decode(connection.requestTimeout ?? DEFAULT_DATABASE_TIMEOUT)
    const agent = yield* Effect.acquireRelease(
      Effect.sync(() => new Agent({ keepAliveTimeout: 4_000, connections: 32 })),
      (agent) => Effect.ignore(Effect.tryPromise(() => agent.destroy()))
    )
    const credentials = `${connection.username}:${Redacted.value(connection.password)}`
    const token = Buffer.from(credentials).toString("base64")
    // Whatever answers (CouchDB, or a proxy in front of it) may echo the request, Authorization
    // header included, into its error text: the credentials are cut out before it becomes a message.
    const secrets = [token, credentials, Redacted.value(connection.password)].filter((secret) => secret.length >= 4)
    const scrub = (text: string) => withoutAddresses(secrets.reduce((out, secret) => out.split(secret).join("***"), text))
    const config: nano.Configuration & { readonly parseUrl: boolean } = {
      url: endpoint,
      // A path in the URL is a proxy prefix here, not a database name (nano's types omit this flag).
      parseUrl: false,
      // nano's types predate undici 7; at runtime it hands this dispatcher to fetch.
      agentOptions: agent as unknown as nano.Configuration["agentOptions"],
      headers: { Authorization: `Basic ${token}` }
    }
    const server = yield* Effect.try({
      try: () => nano(config),
      catch: (cause) => new DatabaseError({ operation: "startup", message: `cannot use the URL in ${variable("COUCHDB_URL")}`, cause })
    })
    const self = { server: label, variable, scrub }

    const timedOut = (operation: string) => () =>
      new DatabaseError({
        operation,
        message: `${label} did not answer within ${Duration.format(timeout)}`,
        unavailable: true
      })

    const request = (operation: string, options: RequestOptions): Effect.Effect<unknown, CouchFailure> =>
      boundedCall({
        timeout,
        abortable: abortController,
        try: (signal) => {
          // Not `{ ...options, signal }`, which makes a V8 map per request (see MemoryDatabase.ts).
          const withSignal = Object.assign({}, options) as nano.RequestOptions & { signal: AbortSignal }
          withSignal.signal = signal
          return server.relax(withSignal) as Promise<unknown>
        },
        catch: (cause) => classify(self, operation, cause),
        onTimeout: timedOut(operation)
      })

    const toDatabaseError = (operation: string) => (failure: CouchFailure): DatabaseError =>
      failure._tag === "DatabaseError"
        ? failure
        : new DatabaseError({
          operation,
          message: `${label} answered ${failure.message}`,
          // CouchDB says 503 while a node is starting or in maintenance mode.
          unavailable: failure.status === 503,
          cause: failure
        })

    const orDatabaseError: CouchClient["orDatabaseError"] = (operation) => (self) =>
      Effect.mapError(self, (failure) =>
        failure instanceof CouchStatus
          ? toDatabaseError(operation)(failure)
          // Not a CouchStatus, so already one of the port's errors.
          : failure as Exclude<typeof failure, CouchStatus>)

    return { username: connection.username, server: label, variable, request, toDatabaseError, orDatabaseError }
  })
