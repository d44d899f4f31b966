import { Effect, Layer, Redacted } from "effect"
import { randomUUID } from "node:crypto"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as CouchDbDatabase from "../../src/adapters/couchdb/CouchDbDatabase.js"
import { DatabaseService } from "../../src/ports/DatabaseService.js"
import { type ChildServer, freePort, startChildServer } from "./ChildServer.js"
import { TEST_DATABASE_TIMEOUT } from "./timeouts.js"

const pouchdbServerBin = createRequire(import.meta.url).resolve("pouchdb-server/bin/pouchdb-server")

export const TEST_ADMIN = "docport-admin"

export interface PouchdbServer {
  readonly server: ChildServer
  readonly port: number
  readonly url: string
  readonly username: string
  readonly password: string
}

/** pouchdb-server writes config.json and log.txt where it runs: a scratch directory, removed afterwards. */
const scratchDirectory = Effect.acquireRelease(
  Effect.tryPromise({
    try: () => mkdtemp(join(tmpdir(), "docport-pouchdb-")),
    catch: (cause) => new Error(`cannot create a directory for pouchdb-server: ${String(cause)}`)
  }),
  (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
)

/**
 * pouchdb-server in memory on 127.0.0.1 (a free port unless one is given, e.g. to restart it where
 * it was), stopped when the scope closes. It gets an admin, which ends its "admin party" so that
 * wrong credentials are refused as on CouchDB 3.
 */
export const startPouchdbServer = (options: { readonly port?: number; readonly password?: string } = {}) =>
  Effect.gen(function*() {
    const port = options.port ?? (yield* freePort)
    const password = options.password ?? randomUUID()
    const dir = yield* scratchDirectory
    const config = join(dir, "config.json")
    yield* Effect.tryPromise({
      try: () => writeFile(config, JSON.stringify({ admins: { [TEST_ADMIN]: password }, log: { file: join(dir, "log.txt") } })),
      catch: (cause) => new Error(`cannot write pouchdb-server's config: ${String(cause)}`)
    })
    const server = yield* startChildServer({
      name: "pouchdb-server",
      command: process.execPath,
      args: [pouchdbServerBin, "--in-memory", "--host", "127.0.0.1", "--port", String(port), "--config", config, "--dir", dir, "--no-color"],
      cwd: dir,
      ready: (output) => output.includes("pouchdb-server has started")
    })
    return { server, port, url: `http://127.0.0.1:${port}`, username: TEST_ADMIN, password } satisfies PouchdbServer
  })

/** A database prefix no other run shares, so that runs against one server never meet. */
export const freshDatabasePrefix = () => `docport_test_${randomUUID().slice(0, 8)}_`

// On a real server the run's databases outlive the process unless removed.
const dropDatabases = (options: CouchDbDatabase.CouchDbOptions, prefix: string) =>
  Effect.promise(async () => {
    const authorization = `Basic ${Buffer.from(`${options.username}:${Redacted.value(options.password)}`).toString("base64")}`
    const base = String(options.url).replace(/\/+$/, "")
    try {
      const names = (await (await fetch(`${base}/_all_dbs`, { headers: { authorization } })).json()) as Array<string>
      for (const name of names.filter((n) => n.startsWith(prefix))) {
        await fetch(`${base}/${encodeURIComponent(name)}`, { method: "DELETE", headers: { authorization } })
      }
    } catch (error) {
      console.warn(`could not drop the test databases with prefix ${prefix}: ${String(error)}`)
    }
  })

/**
 * Options for the adapter under test: the server named by COUCHDB_URL (with COUCHDB_USER and
 * COUCHDB_PASSWORD) when set, its test databases under a fresh prefix and dropped afterwards;
 * else a pouchdb-server of its own.
 */
export const couchTestOptions = Effect.gen(function*() {
  const external = process.env.COUCHDB_URL
  if (external !== undefined && external !== "") {
    const databasePrefix = freshDatabasePrefix()
    const options: CouchDbDatabase.CouchDbOptions = {
      url: external,
      username: process.env.COUCHDB_USER ?? "",
      password: Redacted.make(process.env.COUCHDB_PASSWORD ?? ""),
      databasePrefix,
      requestTimeout: TEST_DATABASE_TIMEOUT
    }
    yield* Effect.addFinalizer(() => dropDatabases(options, databasePrefix))
    return options
  }
  const pouchdb = yield* startPouchdbServer()
  return { url: pouchdb.url, username: pouchdb.username, password: Redacted.make(pouchdb.password), requestTimeout: TEST_DATABASE_TIMEOUT }
})

/** The CouchDB DatabaseService for tests, on its own pouchdb-server or the server named by COUCHDB_URL. */
export const couchTestLayer = Layer.scoped(
  DatabaseService,
  Effect.flatMap(couchTestOptions, CouchDbDatabase.make)
)

const signal = (server: ChildServer, name: NodeJS.Signals) =>
  Effect.sync(() => {
    if (server.process.exitCode === null && server.process.signalCode === null) process.kill(-server.process.pid!, name)
  })

/**
 * Freezes the server (SIGSTOP) until the scope closes: the kernel still accepts connections but
 * nothing answers, which is what a hung backend looks like to a client.
 */
export const freezeServer = (server: ChildServer) =>
  Effect.acquireRelease(signal(server, "SIGSTOP"), () => signal(server, "SIGCONT"))
