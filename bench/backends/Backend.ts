import type { Effect, Scope } from "effect"
import type { DatabaseServiceShape } from "../../src/ports/DatabaseService.js"
import type { DatabaseError } from "../../src/ports/Errors.js"

/**
 * The same calls as the port's get, save (at an expected revision), find (equality, limit) and
 * getMany, made with the backend's own client the way a hand-written service would.
 */
export interface RawClient {
  readonly get: (collection: string, id: string) => Promise<unknown>
  /** Reads the current revisions of these documents, which `save` then writes over. */
  readonly refresh: (collection: string, ids: ReadonlyArray<string>) => Promise<void>
  /** Writes over the revision it last saw of the document, and remembers the new one. */
  readonly save: (collection: string, id: string, body: Record<string, unknown>) => Promise<void>
  readonly find: (collection: string, field: string, value: string, limit: number) => Promise<ReadonlyArray<unknown>>
  /** Answers how many of the ids were found. */
  readonly getMany: (collection: string, ids: ReadonlyArray<string>) => Promise<number>
}

/** A backend server started for the bench, shared by every section that measures it. */
export interface RunningBackend {
  readonly name: string
  /**
   * A namespace (table or database prefix, project) no other part of the run uses, so each
   * measurement starts from empty collections on the one server.
   */
  readonly namespace: () => string
  /** The environment of a docport process over the namespace's collections. */
  readonly docportEnv: (namespace: string) => Record<string, string>
  /** The adapter's module under src/ (without extension), which exports `make` and `makeRaw`. */
  readonly module: string
  /** The options those take for the namespace's collections (ignored on memory). */
  readonly options: (namespace: string) => unknown
  /** The adapter, in this process; `via` replaces the server's address (the request-counting proxy). */
  readonly adapter: (namespace: string, via?: string) => Effect.Effect<DatabaseServiceShape, DatabaseError, Scope.Scope>
  readonly raw?: (namespace: string) => Effect.Effect<RawClient, Error, Scope.Scope>
  /** The server's base URL, where the counting proxy forwards to; absent in memory. */
  readonly endpoint?: string
  /** How the backend's client talks to the server, for the counting proxy. */
  readonly protocol?: "http1" | "h2c"
}

export interface BenchBackend {
  readonly name: string
  readonly start: Effect.Effect<RunningBackend, Error, Scope.Scope>
}

let sequence = 0

/** Lowercase letters and digits, unique within the run: valid as a prefix on every backend. */
export const uniqueName = () => `b${Date.now().toString(36)}${(sequence++).toString(36)}`

/**
 * The adapters' timeout per call in the bench: on this shared machine a bulk load can take longer
 * than the service's 2 seconds, and the bound's length costs nothing per call.
 */
export const BENCH_TIMEOUT = "30 seconds"
