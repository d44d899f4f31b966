/**
 * `npx tsx bench/migrate.ts [documents] [pageSize]`: 100,000 documents (by default) copied
 * CouchDB → DynamoDB, then DynamoDB → Firestore, each by the CLI's copy in a fresh process whose
 * backends talk through request-counting proxies, each followed by the CLI's verify. Prints wall
 * time, documents per second, requests by kind and peak memory above the process's starting point.
 */
import { Effect } from "effect"
import { spawn } from "node:child_process"
import { couchdb } from "./backends/couchdb.js"
import { dynamodb } from "./backends/dynamodb.js"
import { firestore } from "./backends/firestore.js"
import type { RunningBackend } from "./backends/Backend.js"
import { bulkDocument } from "./bulk/bulkBench.js"
import { type CountingProxy, countingProxy } from "./support/countingProxy.js"
import { ROOT } from "./support/processes.js"

const documents = Number(process.argv[2] ?? 100_000)
const pageSize = Number(process.argv[3] ?? 100)
/** Which copies to run, e.g. `dynamodb-firestore` alone (DynamoDB is then seeded directly). */
const pairs = (process.argv[4] ?? "couchdb-dynamodb,dynamodb-firestore").split(",")
const COLLECTION = "agents"
const SEED_BATCH = 5_000

const log = (line: string) => console.log(line)

/** The backend's variables, pointed at the proxy, behind SOURCE_ or TARGET_. */
const envFor = (backend: RunningBackend, namespace: string, proxy: CountingProxy, prefix: string) => {
  const env = backend.docportEnv(namespace)
  const through = Object.fromEntries(Object.entries(env).map(([name, value]) => {
    if (backend.endpoint !== undefined && value === backend.endpoint) return [name, proxy.url]
    if (name === "FIRESTORE_EMULATOR_HOST") return [name, proxy.url.replace("http://", "")]
    return [name, value]
  }))
  return Object.fromEntries(Object.entries(through).map(([name, value]) => [name.startsWith("AWS_") ? name : `${prefix}${name}`, value]))
}

const describeCounts = (counts: Record<string, number>) =>
  Object.entries(counts).sort((a, b) => b[1] - a[1]).map(([kind, n]) => `${kind} ×${n.toLocaleString("en-US")}`).join(", ")

interface Phase {
  readonly phase: string
  readonly ms: number
  readonly extraHeapMB: number
  readonly extraLiveHeapMB: number
  readonly extraRssMB: number
  readonly [key: string]: unknown
}

const copyOnce = (
  source: RunningBackend,
  sourceNamespace: string,
  target: RunningBackend,
  targetNamespace: string
) =>
  Effect.gen(function*() {
    const sourceProxy = yield* countingProxy(source.endpoint!, source.protocol!)
    const targetProxy = yield* countingProxy(target.endpoint!, target.protocol!)
    const env = {
      ...process.env,
      ...envFor(source, sourceNamespace, sourceProxy, "SOURCE_"),
      ...envFor(target, targetNamespace, targetProxy, "TARGET_")
    }
    delete env.FIRESTORE_EMULATOR_HOST
    const results: Array<Phase> = []
    const report = (r: Phase) => {
      if (r.phase === "listAll") {
        log(`  for contrast, listAll of the ${(r.documents as number).toLocaleString("en-US")} documents holds ${(r.heapMB as number).toFixed(1)} MB of heap`)
        return
      }
      const rate = (documents * 1000) / r.ms
      const total = (counts: unknown) => Object.values(counts as Record<string, number>).reduce((a, b) => a + b, 0)
      log(
        `  ${r.phase}: ${(r.ms / 1000).toFixed(1)} s, ${Math.round(rate).toLocaleString("en-US")} docs/s; ` +
          `peak heap +${r.extraHeapMB.toFixed(1)} MB (+${r.extraLiveHeapMB.toFixed(1)} MB live), RSS +${r.extraRssMB.toFixed(1)} MB`
      )
      log(`    ${source.name} requests: ${total(r.sourceRequests)} (${describeCounts(r.sourceRequests as Record<string, number>)})`)
      log(`    ${target.name} requests: ${total(r.targetRequests)} (${describeCounts(r.targetRequests as Record<string, number>)})`)
      if (r.phase === "copy") log(`    ${JSON.stringify(r.tallies)}`)
      if (r.phase === "verify") log(`    identical: ${String(r.identical)} ${JSON.stringify(r.counts)}`)
    }
    yield* Effect.async<void, Error>((resume) => {
      const child = spawn(
        process.execPath,
        ["--expose-gc", "--import", "tsx", "bench/migrate/copyChild.ts", source.name, target.name, String(pageSize)],
        { cwd: ROOT, env, stdio: ["pipe", "pipe", "pipe"] }
      )
      let out = ""
      let err = ""
      child.stderr.on("data", (d: Buffer) => (err += d.toString()))
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString()
        let newline: number
        while ((newline = out.indexOf("\n")) >= 0) {
          const line = out.slice(0, newline)
          out = out.slice(newline + 1)
          if (!line.startsWith("{")) continue
          const phase = JSON.parse(line) as Phase
          const result = { ...phase, sourceRequests: sourceProxy.counts(), targetRequests: targetProxy.counts() }
          results.push(result)
          report(result)
          sourceProxy.reset()
          targetProxy.reset()
          if (phase.phase === "copy") child.stdin.write("go\n")
        }
      })
      child.on("exit", (code) =>
        code === 0 ? resume(Effect.void) : resume(Effect.fail(new Error(`copy ${source.name} → ${target.name} failed (exit ${code}):\n${err}`))))
      return Effect.sync(() => child.kill("SIGKILL"))
    })
    return results
  }).pipe(Effect.scoped)

const program = Effect.gen(function*() {
  log(`migration bench: ${documents.toLocaleString("en-US")} documents, pages of ${pageSize}`)
  const [couch, dynamo, fire] = yield* Effect.all([couchdb.start, dynamodb.start, firestore.start], { concurrency: "unbounded" })
  const couchNamespace = couch.namespace()
  const dynamoNamespace = dynamo.namespace()
  const fireNamespace = fire.namespace()

  const seedStarted = performance.now()
  const seeded = pairs.includes("couchdb-dynamodb") ? couch : dynamo
  yield* Effect.scoped(Effect.gen(function*() {
    const db = yield* seeded.adapter(seeded === couch ? couchNamespace : dynamoNamespace)
    for (let from = 0; from < documents; from += SEED_BATCH) {
      const batch = Array.from({ length: Math.min(SEED_BATCH, documents - from) }, (_, i) => bulkDocument(from + i))
      const results = yield* db.saveMany(COLLECTION, batch)
      if (results.some((r) => !r.ok)) return yield* Effect.fail(new Error(`seeding ${seeded.name} failed`))
    }
  }))
  log(`seeded ${seeded.name} in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`)

  if (pairs.includes("couchdb-dynamodb")) {
    log("CouchDB → DynamoDB")
    yield* copyOnce(couch, couchNamespace, dynamo, dynamoNamespace)
  }
  if (pairs.includes("dynamodb-firestore")) {
    log("DynamoDB → Firestore")
    yield* copyOnce(dynamo, dynamoNamespace, fire, fireNamespace)
  }
})

Effect.runPromise(Effect.scoped(program)).then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
