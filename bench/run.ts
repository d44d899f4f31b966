/**
 * `npm run bench`: docport against a raw node:http baseline over HTTP, each adapter against its
 * raw client, bulk calls and streaming, on every backend; servers started here, results written
 * to bench/results/<date>.{md,json,svg}. `npm run bench -- --help` lists the options.
 */
import { Cause, Effect, Exit, Fiber } from "effect"
import { join, resolve } from "node:path"
import type { RunningBackend } from "./backends/Backend.js"
import { backendNamed } from "./backends/byName.js"
import { type BulkRun, bulkBench } from "./bulk/bulkBench.js"
import { clusterBench, type ClusterRun } from "./cluster/clusterBench.js"
import { type StreamRun, streamBench } from "./bulk/streamBench.js"
import { type HeavyRun, heavyBench } from "./http/heavyScenarios.js"
import { type FreshRun, freshStart } from "./http/freshStart.js"
import { type HttpRun, type HttpSettings, memoryVsBaseline, onBackend } from "./http/httpBench.js"
import { wrkVersion } from "./http/wrkLoad.js"
import type { CycleRun } from "./http/postCycles.js"
import { profileDocport } from "./http/httpProfile.js"
import { type Options, parseOptions, SECTIONS, USAGE } from "./options.js"
import { updateReadme } from "./report/readme.js"
import { adaptersAt } from "./port/adapterModules.js"
import { type PortRun, portBench, type PortSettings } from "./port/portBench.js"
import { consoleSummary, type Results } from "./report/markdown.js"
import { summarize, writeResults } from "./report/write.js"
import { pinningPlan } from "./support/cpu.js"
import { machine, versions, watchLoad } from "./support/machine.js"
import type { ProfileSummary } from "./support/profile.js"
import { ROOT } from "./support/processes.js"

const started = Date.now()
const log = (line: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(5)} s] ${line}`)

const bench = (options: Options) =>
  Effect.gen(function*() {
    const http: Array<HttpRun> = []
    const postCycles: Array<CycleRun> = []
    const fresh: Array<FreshRun> = []
    const port: Array<PortRun> = []
    const bulk: Array<BulkRun> = []
    const stream: Array<StreamRun> = []
    const cluster: Array<ClusterRun> = []
    const heavy: Array<HeavyRun> = []
    const profiles: Record<string, ProfileSummary> = {}
    const failures: Array<string> = []
    const wants = (section: Options["sections"][number]) => options.sections.includes(section)

    // A section that fails is reported and skipped; the others still run.
    const attempt = <A>(what: string, effect: Effect.Effect<A, unknown>) =>
      effect.pipe(
        Effect.map((a): A | undefined => a),
        Effect.catchAllCause((cause) => {
          const message = `${what}: ${String(cause).split("\n").slice(0, 3).join(" ")}`
          failures.push(message)
          log(`FAILED ${message}`)
          return Effect.succeed(undefined)
        })
      )

    const pinning = options.pin ? pinningPlan() : undefined
    if (wants("http") || wants("fresh")) {
      log(pinning === undefined
        ? "servers and load generator placed by the OS (--no-pin, or no taskset, or one CPU)"
        : `servers under comparison on CPU ${pinning.server}, the load generator on CPU ${pinning.load}`)
    }

    const httpSettings: HttpSettings = {
      connections: options.connections,
      durationS: options.durationS,
      warmupS: options.warmupS,
      rounds: options.rounds,
      scenarios: options.scenarios,
      generator: options.load,
      postCyclesS: options.postCyclesS,
      log
    }
    const portSettings: PortSettings = {
      durationS: options.portDurationS,
      warmupS: options.portWarmupS,
      rounds: options.rounds,
      concurrency: 1,
      profileOps: options.profile ? ["get", "getMany"] : [],
      before: options.portBefore === undefined ? undefined : adaptersAt(options.portBefore),
      log
    }

    if (wants("http")) {
      log(`HTTP: docport on memory against the baseline, ${options.rounds} round(s) of ${options.durationS} s per scenario`)
      const memory = yield* attempt("HTTP, memory against the baseline", memoryVsBaseline(httpSettings, { floor: options.floor, before: options.httpBefore, pinning }))
      http.push(...memory?.runs ?? [])
      postCycles.push(...memory?.cycles ?? [])
      if (options.profile) {
        for (const scenario of ["get", "list"] as const) {
          log(`profiling docport on memory under ${scenario}`)
          const profile = yield* attempt(`profile of ${scenario}`, profileDocport(scenario, options.connections, options.durationS))
          if (profile !== undefined) {
            profiles[`docport on memory, ${scenario}`] = profile.summary
            log(`  profile written to ${profile.file}`)
          }
        }
      }
    }

    if (wants("heavy")) {
      log(`heavy calls: docport on memory${options.heavyBefore === undefined ? "" : ` against its build at ${options.heavyBefore}`}, ${options.heavyConnections} clients`)
      const settings = {
        connections: options.heavyConnections,
        durationS: options.heavyDurationS,
        warmupS: Math.min(options.warmupS, 2),
        rounds: options.rounds,
        before: options.heavyBefore,
        log
      }
      heavy.push(...(yield* attempt("heavy calls", heavyBench(settings))) ?? [])
    }
    if (wants("fresh")) {
      log(`fresh process: docport with and without its warm-up and a bare HttpApi, first 10 s under GET, ${options.freshRounds} round(s)`)
      fresh.push(...(yield* attempt("fresh process", freshStart({ rounds: options.freshRounds, seconds: 10, connections: options.connections, pinning, log }))) ?? [])
    }

    for (const name of options.backends) {
      yield* attempt(name, Effect.scoped(Effect.gen(function*() {
        const backend = yield* backendNamed(name)
        log(`${name}: starting`)
        const running: RunningBackend = yield* backend.start
        if (wants("http") && name !== "memory") {
          log(`HTTP: docport on ${name}`)
          const runs = yield* attempt(`HTTP on ${name}`, onBackend(name, () => Effect.succeed(running.docportEnv(running.namespace())), httpSettings))
          http.push(...(runs ?? []))
        }
        if (wants("port")) {
          log(`port: ${name} adapter${running.raw === undefined ? "" : " against the raw client"}`)
          const result = yield* attempt(`port on ${name}`, portBench(running, portSettings))
          port.push(...(result?.runs ?? []))
          for (const p of result?.profiles ?? []) profiles[`${p.backend} ${p.op} through the ${p.client === "raw" ? "raw client" : "adapter"}`] = p.summary
        }
        if (wants("bulk")) {
          log(`bulk: ${name}`)
          const runs = yield* attempt(`bulk on ${name}`, bulkBench(running, { documents: options.bulkDocuments, rounds: options.bulkRounds, log }))
          bulk.push(...(runs ?? []))
        }
        if (wants("stream") && (name === "memory" || name === options.streamBackend)) {
          log(`stream: ${name}, ${options.streamDocuments} documents`)
          const run = yield* attempt(`stream on ${name}`, streamBench(running, options.streamDocuments, 100, log))
          if (run !== undefined) stream.push(run)
        }
      })))
    }
    if (wants("cluster") && options.backends.includes("couchdb")) {
      log(`cluster: WORKERS=${options.workers.join(" against ")} on couchdb, ${options.rounds} round(s) of ${options.durationS} s`)
      cluster.push(...(yield* attempt("cluster on couchdb", clusterBench({
        workers: options.workers,
        connections: options.connections,
        durationS: options.durationS,
        warmupS: options.warmupS,
        rounds: options.rounds,
        log
      }))) ?? [])
    }
    return { http, postCycles, fresh, port, bulk, stream, heavy, cluster, profiles, failures }
  })

/** The options, or undefined after saying what is wrong with them: a mistyped option is not a crash. */
const optionsOrComplaint = (argv: ReadonlyArray<string>): Options | "help" | undefined => {
  try {
    return parseOptions(argv)
  } catch (error) {
    console.error(`npm run bench: ${error instanceof Error ? error.message : String(error)} (--help lists the options)`)
    process.exitCode = 2
    return undefined
  }
}

const main = async () => {
  const options = optionsOrComplaint(process.argv.slice(2))
  if (options === undefined) return
  if (options === "help") {
    console.log(USAGE)
    return
  }
  const noise = watchLoad()
  // Before the run, so that the commit is the one measured even if others commit meanwhile.
  const host = machine()
  // Ctrl-C or a SIGTERM interrupts the run, so that its scopes stop every server it started
  // (killed outright, the run left them serving, pinned to the CPUs the next run measures on).
  // `on`, not `once`: under `npm run bench` a Ctrl-C reaches this process twice (from the terminal
  // and relayed by tsx), and a second signal with no listener left killed it mid-cleanup.
  const running = Effect.runFork(bench(options))
  const stop = () => void Effect.runFork(Fiber.interrupt(running))
  process.on("SIGINT", stop)
  process.on("SIGTERM", stop)
  const exit = await Effect.runPromise(Fiber.await(running))
  process.off("SIGINT", stop)
  process.off("SIGTERM", stop)
  if (Exit.isFailure(exit)) {
    if (!Cause.isInterruptedOnly(exit.cause)) throw Cause.squash(exit.cause)
    console.error("npm run bench: stopped; the servers it started are stopped too")
    process.exitCode = 130
    return
  }
  const measured = exit.value
  const date = new Date().toISOString().replace(/:/g, "-").replace(/\.\d+Z$/, "Z")
  const results: Results = {
    date,
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`,
    settings: { ...options, ...(options.load === "wrk" ? { wrk: wrkVersion() } : {}) },
    machine: host,
    versions: versions(),
    noise: noise.stop(),
    wallSeconds: (Date.now() - started) / 1000,
    ...measured,
    summary: summarize(measured)
  }
  writeResults(resolve(ROOT, options.out), results)
  console.log(`\n${consoleSummary(results)}\n\nwritten: ${options.out}/${date}.md, .json and .svg`)
  // Only a run of every section regenerates the README's figures; a partial run would drop tables.
  if (options.sections.length === SECTIONS.length && options.out === "bench/results") {
    if (updateReadme(join(ROOT, "README.md"), results, `bench/results/${date}.json`)) console.log("README.md: latest-run block regenerated")
  }
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
