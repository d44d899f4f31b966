import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect } from "effect"
import * as MemoryCatalog from "../../src/adapters/MemoryCatalog.js"
import { fromLayer } from "../../src/cli/Backends.js"
import { cli } from "./support.js"

const withEnv = (env: Record<string, string>) => Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)), { pathDelim: "_" }))

const couch = (side: "SOURCE" | "TARGET", url: string, prefix?: string) => ({
  [`${side}_COUCHDB_URL`]: url,
  [`${side}_COUCHDB_USER`]: "admin",
  [`${side}_COUCHDB_PASSWORD`]: "secret",
  ...(prefix === undefined ? {} : { [`${side}_COUCHDB_DATABASE_PREFIX`]: prefix })
})

describe("source and target settings", () => {
  it.scopedLive("the same backend behind SOURCE_ and TARGET_ is refused before either is opened", () =>
    Effect.gen(function*() {
      // An unset prefix and an empty one are the same, and so are URLs but for a trailing slash.
      const same = { ...couch("SOURCE", "http://127.0.0.1:5984", ""), ...couch("TARGET", "http://127.0.0.1:5984/") }
      for (const command of ["copy", "verify"]) {
        const run = yield* cli([command, "--from-provider", "couchdb", "--to-provider", "couchdb"], {}).pipe(withEnv(same))
        expect(run.exitCode, run.err).toBe(1)
        expect(run.err).toContain(
          `docport ${command} stopped: the source and the target are the same couchdb documents (the same COUCHDB_URL, COUCHDB_DATABASE_PREFIX behind SOURCE_ and TARGET_)`
        )
      }
      // Other spellings of one place: credentials in the URL, an empty query or fragment, another loopback name.
      for (const url of ["http://admin:secret@127.0.0.1:5984", "http://127.0.0.1:5984/?", "http://127.0.0.1:5984/#", "http://localhost:5984"]) {
        const spelled = { ...couch("SOURCE", "http://127.0.0.1:5984"), ...couch("TARGET", url) }
        const again = yield* cli(["verify", "--from-provider", "couchdb", "--to-provider", "couchdb"], {}).pipe(withEnv(spelled))
        expect(again.err, url).toContain("the same couchdb documents")
      }
      // Firestore as its adapter reads it: an empty FIRESTORE_PROJECT_ID gives way to GOOGLE_CLOUD_PROJECT.
      const firestore = {
        SOURCE_FIRESTORE_PROJECT_ID: "p1",
        SOURCE_FIRESTORE_EMULATOR_HOST: "127.0.0.1:8080",
        TARGET_FIRESTORE_PROJECT_ID: "",
        TARGET_GOOGLE_CLOUD_PROJECT: "p1",
        TARGET_FIRESTORE_EMULATOR_HOST: "localhost:8080"
      }
      const fs = yield* cli(["verify", "--from-provider", "firestore", "--to-provider", "firestore"], {}).pipe(withEnv(firestore))
      expect(fs.err).toContain("the same firestore documents")
      const dynamo = { SOURCE_DYNAMODB_TABLE_PREFIX: "prod-", TARGET_DYNAMODB_TABLE_PREFIX: "prod-" }
      const run = yield* cli(["copy", "--from-provider", "dynamodb", "--to-provider", "dynamodb"], {}).pipe(withEnv(dynamo))
      expect(run.err).toContain("the same dynamodb documents")
    }))

  it.scopedLive("another database prefix on the same server is another backend", () =>
    Effect.gen(function*() {
      // Memory stands in for both CouchDB sides: what is tested is that the command goes on to open them.
      const source = yield* fromLayer("memory", MemoryCatalog.layer)
      const target = yield* fromLayer("memory", MemoryCatalog.layer)
      const env = { ...couch("SOURCE", "http://127.0.0.1:5984", "old-"), ...couch("TARGET", "http://127.0.0.1:5984", "new-") }
      const run = yield* cli(["copy", "--from-provider", "couchdb", "--to-provider", "couchdb"], { source, target }).pipe(withEnv(env))
      expect(run.exitCode, run.err).toBe(0)
    }))

  it.scopedLive("a collection named with --collections that neither side holds is refused, not verified as identical", () =>
    Effect.gen(function*() {
      const source = yield* fromLayer("memory", MemoryCatalog.layer)
      const target = yield* fromLayer("memory", MemoryCatalog.layer)
      yield* source.db.save("agents", "a1", { name: "a" })
      const env = { ...couch("SOURCE", "http://127.0.0.1:5984", "old-"), ...couch("TARGET", "http://127.0.0.1:5984", "new-") }
      for (const command of ["verify", "copy"]) {
        const run = yield* cli([command, "--from-provider", "couchdb", "--to-provider", "couchdb", "--collections", "agnets"], { source, target })
          .pipe(withEnv(env))
        expect(run.exitCode, command).toBe(1)
        expect(run.err).toContain(`docport ${command} stopped: no such collection agnets: the backends hold agents`)
      }
    }))

  it.scopedLive("two Firestore projects named through GOOGLE_CLOUD_PROJECT behind empty FIRESTORE_PROJECT_IDs are two backends", () =>
    Effect.gen(function*() {
      const source = yield* fromLayer("memory", MemoryCatalog.layer)
      const target = yield* fromLayer("memory", MemoryCatalog.layer)
      const env = {
        SOURCE_FIRESTORE_PROJECT_ID: "",
        SOURCE_GOOGLE_CLOUD_PROJECT: "p1",
        TARGET_FIRESTORE_PROJECT_ID: "",
        TARGET_GOOGLE_CLOUD_PROJECT: "p2"
      }
      const run = yield* cli(["verify", "--from-provider", "firestore", "--to-provider", "firestore"], { source, target }).pipe(withEnv(env))
      expect(run.exitCode, run.err).toBe(0)
    }))
})
