/**
 * The data store on every backend: setMany 1,000 / getMany 1,000 / listing 10,000 / clearing
 * 10,000 records, each counted in backend requests through the bench's counting proxy, and
 * (listChild.ts, a process of its own) the memory of listing 100,000 records page by page.
 * Run: npx tsx bench/datastore/dataStoreBench.ts [memory couchdb dynamodb firestore] [--list=100000]
 */
import { Effect, Layer, Stream } from "effect"
import { spawn } from "node:child_process"
import type { BenchBackend, RunningBackend } from "../backends/Backend.js"
import { couchdb } from "../backends/couchdb.js"
import { dynamodb } from "../backends/dynamodb.js"
import { memory } from "../backends/memory.js"
import { countingProxy } from "../support/countingProxy.js"
import { ROOT } from "../support/processes.js"
import * as DataStore from "../../src/domain/DataStore.js"
import { DatabaseService } from "../../src/ports/DatabaseService.js"

const args = process.argv.slice(2)
const names = args.filter((a) => !a.startsWith("--"))
const listed = Number(args.find((a) => a.startsWith("--list="))?.slice(7) ?? 100_000)
const wanted = names.length > 0 ? names : ["memory", "couchdb", "dynamodb", "firestore"]

const backendNamed = (name: string): Effect.Effect<BenchBackend, Error> =>
  name === "memory" ? Effect.succeed(memory)
  : name === "couchdb" ? Effect.succeed(couchdb)
  : name === "dynamodb" ? Effect.succeed(dynamodb)
  : Effect.tryPromise({
    try: async () => (await import("../backends/firestore.js")).firestore,
    catch: (cause) => new Error(`cannot load the Firestore starter: ${String(cause).split("\n")[0]}`)
  })

const record = (i: number) => ({ key: `files/src/module-${String(i).padStart(6, "0")}.py`, value: { lines: i % 400, summary: `module ${i}`, tags: ["py", "src"] } })

const rows: Array<string> = []

const bulk = (backend: RunningBackend) =>
  Effect.scoped(Effect.gen(function*() {
    const proxy = backend.endpoint === undefined ? undefined : yield* countingProxy(backend.endpoint, backend.protocol ?? "http1")
    const db = yield* backend.adapter(backend.namespace(), proxy?.url)
    const context = yield* Layer.build(DataStore.layerWith({ delay: "1 hour" }).pipe(Layer.provide(Layer.succeed(DatabaseService, db))))
    const store = context.unsafeMap.get(DataStore.DataStore.key) as DataStore.DataStoreShape
    const measure = <A, E>(label: string, effect: Effect.Effect<A, E>, check: (a: A) => boolean) =>
      Effect.gen(function*() {
        proxy?.reset()
        const started = performance.now()
        const result = yield* effect
        const ms = performance.now() - started
        if (!check(result)) return yield* Effect.fail(new Error(`${backend.name} ${label}: wrong result`))
        const kinds = Object.entries(proxy?.counts() ?? {}).map(([k, n]) => `${k} ×${n}`).join(", ")
        const requests = proxy === undefined ? "—" : String(proxy.total())
        rows.push(`| ${backend.name} | ${label} | ${ms.toFixed(0)} | ${requests} | ${kinds} |`)
        console.log(`${backend.name} ${label}: ${ms.toFixed(0)} ms, ${requests} requests ${kinds}`)
      })
    const thousand = Array.from({ length: 1000 }, (_, i) => record(i))
    yield* measure("setMany 1,000 new", store.setMany("bench", "one", thousand, "bench"), (r) => r.every((x) => x.ok))
    yield* measure("setMany 1,000 existing", store.setMany("bench", "one", thousand, "bench"), (r) => r.every((x) => x.ok))
    yield* measure("getMany 1,000", store.getMany("bench", "one", thousand.map((r) => r.key), "bench"), (r) => r.length === 1000)
    yield* measure("flush 1,000 access counts", store.flushAccess, () => true)
    for (let from = 0; from < 10_000; from += 1000) {
      yield* store.setMany("bench", "ten", Array.from({ length: 1000 }, (_, i) => record(from + i)), "bench")
    }
    yield* measure("list 10,000 (stream, pages of 1,000)", Stream.runCount(store.records("bench", "ten")), (n) => n === 10_000)
    yield* measure("stats of 10,000", store.namespaceStats("bench", "ten"), (s) => s.recordCount === 10_000)
    yield* measure("clear 10,000", store.clear("bench", "ten"), (n) => n === 10_000)
  }))

/** listChild.ts in a fresh process (node --expose-gc), over docport's own layer for the backend. */
const listing = (backend: RunningBackend) =>
  Effect.async<void, Error>((resume) => {
    const env = { ...process.env, ...backend.docportEnv(backend.namespace()), DATABASE_PROVIDER: backend.name }
    const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", "bench/datastore/listChild.ts", String(listed)], {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"]
    })
    let out = ""
    let err = ""
    child.stdout.on("data", (d: Buffer) => (out += d.toString()))
    child.stderr.on("data", (d: Buffer) => (err += d.toString()))
    child.on("exit", (code) => {
      const line = out.trim().split("\n").at(-1) ?? ""
      if (code !== 0 || !line.startsWith("{")) return resume(Effect.fail(new Error(`listing on ${backend.name} failed (exit ${code}):\n${err}${out}`)))
      const r = JSON.parse(line) as Record<string, number>
      const text = `${backend.name} list ${listed}: ${r.ms!.toFixed(0)} ms; streamed (pages of 1,000): peak live heap +${r.streamLiveMB!.toFixed(1)} MB; ` +
        `the same records held whole: +${r.wholeMB!.toFixed(1)} MB (${(r.wholeMB! / Math.max(r.streamLiveMB!, 0.1)).toFixed(0)}×)`
      rows.push(`| ${backend.name} | list ${listed.toLocaleString("en")}: memory | ${r.ms!.toFixed(0)} | | streamed +${r.streamLiveMB!.toFixed(1)} MB live heap; held whole +${r.wholeMB!.toFixed(1)} MB |`)
      console.log(text)
      resume(Effect.void)
    })
    return Effect.sync(() => child.kill("SIGKILL"))
  })

const program = Effect.gen(function*() {
  for (const name of wanted) {
    yield* Effect.scoped(Effect.gen(function*() {
      const backend = yield* backendNamed(name)
      const running = yield* backend.start
      yield* bulk(running)
      if (name === "memory" || args.includes("--list-all")) yield* listing(running)
    })).pipe(Effect.catchAll((error) => Effect.sync(() => console.error(`${name}: ${error.message}`))))
  }
  console.log("\n| backend | operation | ms | backend requests | requests by kind |\n| --- | --- | ---: | ---: | --- |")
  console.log(rows.join("\n"))
})

Effect.runPromise(program).then(() => process.exit(0), (error) => {
  console.error(error)
  process.exit(1)
})
