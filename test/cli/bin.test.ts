import { expect, layer } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import type { CouchDbOptions } from "../../src/adapters/couchdb/CouchDbDatabase.js"
import type { DynamoDbOptions } from "../../src/adapters/dynamodb/DynamoDbDatabase.js"
import { DUMMY_CREDENTIALS } from "../support/dynalite.js"
import { freePort } from "../support/ChildServer.js"
import { freshOptions, seed, serversLayer } from "./support.js"
import * as CouchDbDatabase from "../../src/adapters/couchdb/CouchDbDatabase.js"
import * as DynamoDbDatabase from "../../src/adapters/dynamodb/DynamoDbDatabase.js"
import { TEST_DATABASE_TIMEOUT_TEXT } from "../support/timeouts.js"

const bin = fileURLToPath(new URL("../../bin/docport.js", import.meta.url))

interface Finished {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** `npx docport …` as an operator runs it: a process of its own, configured by environment only. */
const docport = (args: ReadonlyArray<string>, env: Record<string, string>, interruptWhen?: (stderr: string) => boolean) =>
  Effect.async<Finished>((resume) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { PATH: process.env.PATH ?? "", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", DATABASE_TIMEOUT: TEST_DATABASE_TIMEOUT_TEXT, ...env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    let interrupted = false
    child.stdout.on("data", (data) => (stdout += data))
    child.stderr.on("data", (data) => {
      stderr += data
      if (!interrupted && interruptWhen?.(stderr) === true) {
        interrupted = true
        child.kill("SIGINT")
      }
    })
    child.on("close", (code) => resume(Effect.succeed({ code, stdout, stderr })))
    return Effect.sync(() => child.kill("SIGKILL"))
  })

const couchEnv = (prefix: string, o: CouchDbOptions) => ({
  [`${prefix}COUCHDB_URL`]: String(o.url),
  [`${prefix}COUCHDB_USER`]: o.username,
  [`${prefix}COUCHDB_PASSWORD`]: Redacted.value(o.password),
  [`${prefix}COUCHDB_DATABASE_PREFIX`]: o.databasePrefix ?? ""
})

const dynamoEnv = (prefix: string, o: DynamoDbOptions) => ({
  [`${prefix}DYNAMODB_ENDPOINT_URL`]: o.endpoint!,
  [`${prefix}DYNAMODB_TABLE_PREFIX`]: o.tablePrefix ?? "",
  AWS_ACCESS_KEY_ID: DUMMY_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: DUMMY_CREDENTIALS.secretAccessKey
})

const DOCS = 3000

// Each run starts Node and tsx and loads the sources: seconds on a busy machine, hence the long timeouts.
layer(serversLayer(false), { timeout: 180_000, excludeTestServices: true })("npx docport", (it) => {
  it.scoped("Ctrl-C stops a copy (exit 130); the same command again finishes it, every document once", () =>
    Effect.gen(function*() {
      const couch = (yield* freshOptions("couchdb")) as CouchDbOptions
      const dynamo = (yield* freshOptions("dynamodb")) as DynamoDbOptions
      const source = yield* CouchDbDatabase.make(couch)
      yield* seed({ db: source } as never, {
        agents: Array.from({ length: DOCS }, (_, i) => ({ _id: `agent-${i}`, name: `Agent ${i}`, description: "", code: "" }))
      })
      const env = { ...couchEnv("SOURCE_", couch), ...dynamoEnv("TARGET_", dynamo), SOURCE_DATABASE_PROVIDER: "couchdb" }
      const args = ["copy", "--to-provider", "dynamodb", "--page-size", "20", "--progress-interval", "0.01"]

      const first = yield* docport(args, env, (stderr) => /agents: \d{3,}\/3,000/.test(stderr))
      expect(first.code, first.stderr).toBe(130)
      expect(first.stderr).toContain("docport copy interrupted; run the same command again to continue")
      // Plain progress lines (stderr is not a terminal): done/total, rate, time left.
      expect(first.stderr).toMatch(/agents: [\d,]+\/3,000, [\d,]+ docs\/s, \S+ left/)
      const partly = Number(/agents\s+([\d,]+)\s+([\d,]+)/.exec(first.stdout)?.[2]?.replace(/,/g, ""))
      expect(partly).toBeGreaterThan(0)
      expect(partly).toBeLessThan(DOCS)
      // No credentials or bodies on either stream.
      expect(first.stdout + first.stderr).not.toContain(Redacted.value(couch.password))

      const second = yield* docport(args, env)
      expect(second.code, second.stderr).toBe(0)
      const [, read, written, skipped, failed] = /agents\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)/.exec(second.stdout)!.map(
        (n) => Number(n.replace(/,/g, ""))
      )
      expect(read).toBe(DOCS)
      expect(failed).toBe(0)
      expect(written! + skipped!).toBe(DOCS)
      expect(skipped).toBeGreaterThanOrEqual(partly)

      const target = yield* DynamoDbDatabase.make(dynamo)
      const stored = yield* target.listAll("agents")
      expect(stored.length).toBe(DOCS)
      expect(new Set(stored.map((d) => d._id)).size).toBe(DOCS)

      const verified = yield* docport(["verify", "--to-provider", "dynamodb"], env)
      expect(verified.code, verified.stderr).toBe(0)
      expect(verified.stdout).toMatch(/agents\s+3,000\s+3,000\s+0\s+0\s+0/)
    }), 240_000)

  it.scoped("export to stdout with the service's own variables: NDJSON on stdout, the summary on stderr", () =>
    Effect.gen(function*() {
      const couch = (yield* freshOptions("couchdb")) as CouchDbOptions
      const db = yield* CouchDbDatabase.make(couch)
      yield* seed({ db } as never, { demos: [{ _id: "d1", name: "Démo", isPublic: true }], agents: [{ _id: "a1", name: "A" }] })
      const run = yield* docport(["export", "--to", "-"], { ...couchEnv("", couch), DATABASE_PROVIDER: "couchdb" })
      expect(run.code, run.stderr).toBe(0)
      expect(run.stdout).toBe(
        `{"collection":"agents","document":{"_id":"a1","name":"A"}}\n` +
          `{"collection":"demos","document":{"_id":"d1","isPublic":true,"name":"Démo"}}\n`
      )
      expect(run.stderr).toMatch(/total\s+2\s+2\s+0\s+0/)
    }), 240_000)

  it.scoped("configuration errors exit 1 naming the variable; no provider is a usage error; a dead source is named by its variable", () =>
    Effect.gen(function*() {
      const dead = yield* freePort
      const unreachable = { SOURCE_COUCHDB_URL: `http://127.0.0.1:${dead}`, SOURCE_COUCHDB_USER: "someone", SOURCE_COUCHDB_PASSWORD: "a password" }
      const [missing, none, unanswered] = yield* Effect.all([
        docport(["copy", "--from-provider", "couchdb", "--to-provider", "dynamodb"], {}),
        docport(["verify"], {}),
        docport(["copy", "--from-provider", "couchdb", "--to-provider", "dynamodb"], unreachable)
      ], { concurrency: 3 })
      expect(unanswered.code).toBe(1)
      expect(unanswered.stderr).toContain("CouchDB (SOURCE_COUCHDB_URL) could not be reached")
      expect(unanswered.stdout + unanswered.stderr).not.toContain(String(dead))
      expect(missing.code).toBe(1)
      expect(missing.stderr).toContain("SOURCE_COUCHDB_URL")
      expect(none.code).toBe(1)
      expect(none.stderr).toContain("docport verify stopped: no backend chosen: set SOURCE_DATABASE_PROVIDER (or --from-provider)")
    }), 240_000)

  it.scoped("a page size or progress interval of 0 or less is refused with what it must be", () =>
    Effect.gen(function*() {
      const [zero, negative, interval] = yield* Effect.all([
        docport(["copy", "--page-size", "0"], {}),
        docport(["verify", "--page-size", "-5"], {}),
        docport(["export", "--to", "-", "--progress-interval", "0"], {})
      ], { concurrency: 3 })
      for (const run of [zero, negative]) {
        expect(run.code).toBe(1)
        expect(run.stderr).toContain("--page-size must be 1 or more")
      }
      expect(interval.code).toBe(1)
      expect(interval.stderr).toContain("--progress-interval must be more than 0 seconds")
    }), 240_000)

  it.scoped("memory, or no backend at all, is refused from the command line, naming the variable to set", () =>
    Effect.gen(function*() {
      const couch = (yield* freshOptions("couchdb")) as CouchDbOptions
      const file = join(tmpdir(), `docport-memory-${process.pid}-${Date.now()}.ndjson`)
      const [exported, imported, copied] = yield* Effect.all([
        docport(["export", "--to", file], { DATABASE_PROVIDER: "memory" }),
        docport(["import", "--from", file], {}),
        docport(["copy"], { ...couchEnv("SOURCE_", couch), SOURCE_DATABASE_PROVIDER: "couchdb", TARGET_DATABASE_PROVIDER: "memory" })
      ], { concurrency: 3 })
      expect(exported.code).toBe(1)
      expect(exported.stderr).toContain("docport export stopped: memory keeps nothing once the command ends: set DATABASE_PROVIDER (or --provider)")
      expect(existsSync(file)).toBe(false)
      expect(imported.code).toBe(1)
      expect(imported.stderr).toContain("docport import stopped: no backend chosen: set DATABASE_PROVIDER (or --provider)")
      expect(copied.code).toBe(1)
      expect(copied.stderr).toContain("memory keeps nothing once the command ends: set TARGET_DATABASE_PROVIDER (or --to-provider)")
    }), 240_000)
})
