import { NodeContext } from "@effect/platform-node"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Context, Effect, Layer, Redacted, type Scope } from "effect"
import * as CouchDbCatalog from "../../src/adapters/couchdb/CouchDbCatalog.js"
import * as CouchDbDatabase from "../../src/adapters/couchdb/CouchDbDatabase.js"
import type { Provider } from "../../src/adapters/Providers.js"
import * as DynamoDbCatalog from "../../src/adapters/dynamodb/DynamoDbCatalog.js"
import * as DynamoDbDatabase from "../../src/adapters/dynamodb/DynamoDbDatabase.js"
import * as FirestoreCatalog from "../../src/adapters/firestore/FirestoreCatalog.js"
import * as FirestoreDatabase from "../../src/adapters/firestore/FirestoreDatabase.js"
import * as MemoryCatalog from "../../src/adapters/MemoryCatalog.js"
import { type Backend, Backends, fromLayer } from "../../src/cli/Backends.js"
import type { Portable } from "../../src/cli/Canonical.js"
import { run } from "../../src/cli/Commands.js"
import { Output, type RunResult } from "../../src/cli/Output.js"
import * as Progress from "../../src/cli/Progress.js"
import type { BulkDocument } from "../../src/ports/Document.js"
import { DUMMY_CREDENTIALS, freshTablePrefix, startDynalite } from "../support/dynalite.js"
import { emulatorFound, freshProjectId, startEmulator } from "../support/firestoreEmulator.js"
import { freshDatabasePrefix, startPouchdbServer } from "../support/pouchdbServer.js"

/** The test servers, started once per file and shared by every test in it. */
export class Servers extends Context.Tag("test/cli/Servers")<Servers, {
  readonly couchdb: CouchDbDatabase.CouchDbOptions
  readonly dynamodb: DynamoDbDatabase.DynamoDbOptions
  /** Absent when the emulator is not installed (the Firestore cases are skipped then). */
  readonly firestoreHost: string | undefined
}>() {}

export const serversLayer = (withFirestore = true) =>
  Layer.scoped(
    Servers,
    Effect.gen(function*() {
      const [pouchdb, dynalite, emulator] = yield* Effect.all([
        startPouchdbServer(),
        startDynalite(),
        withFirestore && emulatorFound ? startEmulator : Effect.succeed(undefined)
      ], { concurrency: "unbounded" })
      return {
        couchdb: { url: pouchdb.url, username: pouchdb.username, password: Redacted.make(pouchdb.password) },
        dynamodb: { endpoint: dynalite.endpoint, region: "us-east-1", credentials: DUMMY_CREDENTIALS },
        firestoreHost: emulator?.host
      }
    }).pipe(Effect.orDie)
  )

/** What a backend is configured with in a test: fresh names on the shared servers. */
export const freshOptions = (provider: Provider) =>
  Effect.map(Servers, (servers) => {
    switch (provider) {
      case "memory":
        return {}
      case "couchdb":
        return { ...servers.couchdb, databasePrefix: freshDatabasePrefix() }
      case "dynamodb":
        return { ...servers.dynamodb, tablePrefix: freshTablePrefix() }
      case "firestore":
        return { projectId: freshProjectId(), emulatorHost: servers.firestoreHost! }
    }
  })

/** A backend of its own (fresh prefix or project) on the shared servers, closed with the scope. */
export const freshBackend = (provider: Provider): Effect.Effect<Backend, never, Servers | Scope.Scope> =>
  Effect.gen(function*() {
    const options = yield* freshOptions(provider)
    switch (provider) {
      case "memory":
        return yield* fromLayer(provider, MemoryCatalog.layer)
      case "couchdb": {
        const o = options as CouchDbDatabase.CouchDbOptions
        return yield* fromLayer(provider, Layer.merge(CouchDbDatabase.layer(o), CouchDbCatalog.layer(o)))
      }
      case "dynamodb": {
        const o = options as DynamoDbDatabase.DynamoDbOptions
        return yield* fromLayer(provider, Layer.merge(DynamoDbDatabase.layer(o), DynamoDbCatalog.layer(o)))
      }
      case "firestore": {
        const o = options as FirestoreDatabase.FirestoreOptions
        return yield* fromLayer(provider, Layer.merge(FirestoreDatabase.layer(o), FirestoreCatalog.layer(o)))
      }
    }
  }).pipe(Effect.orDie)

export const seed = (backend: Backend, docs: Record<string, ReadonlyArray<Portable>>) =>
  Effect.forEach(Object.entries(docs), ([collection, list]) =>
    Effect.flatMap(backend.db.saveMany(collection, list as ReadonlyArray<BulkDocument>), (results) =>
      results.every((r) => r.ok) ? Effect.void : Effect.dieMessage(`seeding ${collection} failed: ${JSON.stringify(results)}`)), { discard: true }).pipe(
      Effect.orDie
    )

export interface CliRun {
  readonly exitCode: number
  readonly result: RunResult
  readonly out: string
  readonly err: string
}

/**
 * The real command line, parsed by @effect/cli, run in this process over the given backends
 * (`service` for export/import), with its reports captured.
 */
export const cli = (args: ReadonlyArray<string>, backends: { readonly source?: Backend; readonly target?: Backend; readonly service?: Backend }) =>
  Effect.gen(function*() {
    let out = ""
    let err = ""
    let result: RunResult | undefined
    const output = Layer.succeed(Output, {
      out: (text) => (out += `${text}\n`),
      err: (text) => (err += `${text}\n`),
      record: (r) => (result = r),
      progress: (intervalMs) => Progress.make({ write: (text) => (err += text), tty: false, intervalMs })
    })
    const opened = Layer.succeed(Backends, {
      open: (role) => {
        const backend = backends[role]
        return backend === undefined ? Effect.dieMessage(`no ${role} backend in this test`) : Effect.succeed(backend)
      }
    })
    yield* run(["node", "docport", ...args]).pipe(
      Effect.provide(Layer.mergeAll(NodeContext.layer, output, opened)),
      Effect.catchAll((error) => Effect.sync(() => (err += `${String(error)}\n`)))
    )
    if (result === undefined) return yield* Effect.dieMessage(`the command recorded no result:\n${err}`)
    return { exitCode: result.exitCode, result, out, err } satisfies CliRun
  })

/** A fresh directory for a test's files, removed with everything in it when the scope closes. */
export const tempDir = Effect.acquireRelease(
  Effect.promise(() => mkdtemp(join(tmpdir(), "docport-cli-"))),
  (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
)
