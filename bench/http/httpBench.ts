import { Effect, type Scope } from "effect"
import {
  buildDocportAt,
  type HttpTarget,
  type ProcessOptions,
  startBaseline,
  startDocport,
  startDocportBuild,
  startHttpApiBaseline,
  startPlatformFloor,
  startSecuredHttpApiBaseline,
  startTrainedHttpApiBaseline
} from "../support/processes.js"
import { loadGeneratorPinned, type Pinning } from "../support/cpu.js"
import { type LoadOptions, type LoadResult, type LoadStalls, runLoad, runTogether } from "./load.js"
import { newAgents, SCENARIOS, type ScenarioId, seedAgents } from "./scenarios.js"
import { runWrkScenario } from "./wrkLoad.js"
import { type FullGcs, withFullGcsOf } from "./fullGcs.js"
import { type Contestant, othersStopped } from "./contestants.js"
import { type CycleRun, postOverCycles } from "./postCycles.js"

export interface HttpSettings extends LoadOptions {
  readonly warmupS: number
  readonly rounds: number
  readonly scenarios: ReadonlyArray<ScenarioId>
  /** What loads the continuous runs, whose tails are judged (wrkLoad.ts); the slices compared for CPU are autocannon's either way. */
  readonly generator: "wrk" | "autocannon"
  /** How long POST runs on docport and the bare HttpApi after the scenarios, over V8's full collections (postCycles.ts); 0: not at all. */
  readonly postCyclesS: number
  readonly log: (line: string) => void
}

/** Whether docport started before the servers it is compared with in this round (see memoryVsBaseline). */
export const docportStartsFirst = (round: number): boolean => round % 2 === 1

/** One measured run: which server, on which backend, in which round, under which scenario. */
export interface HttpRun {
  readonly target: string
  readonly backend: string
  readonly round: number
  readonly scenario: ScenarioId
  readonly result: LoadResult
  /** V8's full collections in the continuous run, where the server counts them (docport since GcMetrics.ts). */
  readonly fullGcs?: FullGcs | undefined
}


const describeStalls = (s: LoadStalls | undefined) =>
  s === undefined
    ? "load from wrk"
    : `load generator stood still ${s.count} times (longest ${s.maxMs.toFixed(1)} ms), ` +
      `in flight meanwhile: ${(s.slowShare * 100).toFixed(0)}% of the answers over p99, ${(s.allShare * 100).toFixed(0)}% of all; ` +
      `the others p50 ${s.untouchedP50.toFixed(2)} ms, p99 ${s.untouchedP99.toFixed(2)} ms`

const describe = (r: LoadResult) =>
  `${Math.round(r.rps)} req/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, ${r.errors} errors, ${r.conflicts} 409, ` +
  `server CPU ${Math.round(r.cpuUsPerRequest)} µs/req (${(r.cpuShare * 100).toFixed(0)}% of a core); ${describeStalls(r.loadStalls)}`

/** How long each slice lasts in which the servers compared for CPU are loaded together (load.ts, runTogether). */
const SLICE_S = 1

/** The servers whose CPU per request docport's is compared with slice by slice (docport itself among them). */
const TURN_TAKERS = new Set(["docport", "httpapi", "httpapi-signin", "httpapi-trained", "before"])

/**
 * Every scenario, in order, on the given servers. Within a scenario the servers take turns, and
 * the order of the turns rotates, so that none always runs first (or last) on the machine: each
 * is warmed up and measured for the run's duration. Then docport and each other server of
 * TURN_TAKERS in turn run the scenario again, the two at once, first for the run's duration (not
 * counted), then in slices of SLICE_S seconds for the run's duration, which gives the CPU per
 * request of each slice: docport's CPU ratios are taken slice by slice (summary.ts), its tails and
 * requests/s from the continuous runs.
 */
const runScenarios = (contestants: ReadonlyArray<Contestant>, round: number, settings: HttpSettings) =>
  Effect.gen(function*() {
    const runs: Array<HttpRun> = []
    for (const [index, scenario] of SCENARIOS.filter((s) => settings.scenarios.includes(s.id)).entries()) {
      for (const c of contestants) yield* seedAgents(c.target.url, c.agents, scenario.agents)
      // Each server takes each place in the order equally often over the rounds and scenarios.
      const shift = (round + index) % contestants.length
      const order = [...contestants.slice(shift), ...contestants.slice(0, shift)]
      const results = new Map<Contestant, LoadResult>()
      const fullGcs = new Map<Contestant, FullGcs | undefined>()
      for (const c of order) {
        const load = { scenario: scenario.id, agents: c.agents }
        // Warmed up by the generator that measures, so that the server has seen the same load.
        const run = settings.generator === "wrk" ? runWrkScenario : runLoad
        const measured = run(c.target.url, load, { ...settings, serverPid: c.target.pid })
        const [result, gcs] = yield* Effect.scoped(Effect.zipRight(
          othersStopped(contestants.filter((other) => other !== c)),
          Effect.zipRight(
            settings.warmupS > 0 ? run(c.target.url, load, { ...settings, durationS: settings.warmupS }) : Effect.void,
            withFullGcsOf(c.target, measured)
          )
        ))
        results.set(c, result)
        fullGcs.set(c, gcs)
      }
      // docport and each other server of TURN_TAKERS in pairs, loaded together (load.ts, runTogether).
      const takers = order.filter((c) => TURN_TAKERS.has(c.target.name))
      const docport = takers.find((c) => c.target.name === "docport")
      if (docport !== undefined && takers.length > 1) {
        const target = (c: Contestant) => ({ url: c.target.url, load: { scenario: scenario.id, agents: c.agents }, serverPid: c.target.pid })
        const docportSlices: Array<number> = []
        // Which of the two load generators is made first, each slice, follows the start order.
        const first = docportStartsFirst(round)
        for (const other of takers.filter((c) => c !== docport)) {
          const pair = first ? [target(docport), target(other)] : [target(other), target(docport)]
          // Uncounted, as long as the counted part: the first seconds of a pair are not the steady
          // state either server keeps. In the run of 1 December 09:03 UTC, 27 of the 90 servers of
          // 45 pairs began at over 1.25 x their lowest CPU per request of the last three slices
          // (docport 14 times, the other 13), up to 4.6 x and for up to 5 one-second slices, which
          // moved a pair's median ratio by up to 0.28 (GET, round 1: 0.75 over all six slices,
          // 1.03 over the last three).
          yield* runTogether(pair, { ...settings, sliceS: settings.durationS })
          const together = yield* runTogether(pair, { ...settings, sliceS: SLICE_S })
          const [mine, theirs] = first ? together : [...together].reverse()
          docportSlices.push(...mine!.turnCpuUsPerRequest)
          results.set(other, { ...results.get(other)!, turnCpuUsPerRequest: theirs!.turnCpuUsPerRequest, pairedCpuUsPerRequest: mine!.turnCpuUsPerRequest })
        }
        results.set(docport, { ...results.get(docport)!, turnCpuUsPerRequest: docportSlices })
      }
      for (const [c, result] of results) {
        const turns = result.turnCpuUsPerRequest.length === 0 ? "" : `, in slices ${result.turnCpuUsPerRequest.map(Math.round).join(" ")} µs/req`
        const gcs = fullGcs.get(c)
        const collections = gcs === undefined ? "" : `; ${gcs.count} full collections (${gcs.pauseMs.toFixed(1)} ms of pauses) in the continuous run`
        settings.log(`  round ${round} ${scenario.id.padEnd(4)} ${c.target.name}/${c.backend}: ${describe(result)}${turns}${collections}`)
        runs.push({ target: c.target.name, backend: c.backend, round, scenario: scenario.id, result, fullGcs: gcs })
      }
    }
    return runs
  })

export interface MemoryVsBaselineOptions {
  /** Also the baseline's routes on bare @effect/platform, to tell the framework's cost from docport's. */
  readonly floor: boolean
  /** docport built at this commit as one more contestant (target "before"). */
  readonly before?: string | undefined
  /** For docport's process (a CPU profile, node flags); the CPU comes from `pinning`. */
  readonly processOptions?: ProcessOptions | undefined
  /** Every server on one CPU and this process on another (cpu.ts); undefined: as the OS places them. */
  readonly pinning?: Pinning | undefined
}

const contestant = <E, R>(start: Effect.Effect<HttpTarget, E, R>, backend: string) =>
  Effect.map(start, (target): Contestant => ({ target, backend, agents: newAgents() }))

/**
 * docport on memory against the baseline, each round on fresh processes; with `floor`, also the
 * baseline's routes on bare @effect/platform; with `before`, also docport built at that commit, so
 * that a change is judged within one run rather than against a run made at another hour.
 */
export const memoryVsBaseline = (settings: HttpSettings, options: MemoryVsBaselineOptions) =>
  Effect.gen(function*() {
    const runs: Array<HttpRun> = []
    const cycles: Array<CycleRun> = []
    const beforeBuild = options.before === undefined ? undefined : yield* buildDocportAt(options.before)
    const on: ProcessOptions = { cpu: options.pinning?.server }
    for (let round = 1; round <= settings.rounds; round++) {
      const contestants = yield* Effect.scoped(Effect.gen(function*() {
        yield* loadGeneratorPinned(options.pinning)
        const starts: Array<Effect.Effect<Contestant, unknown, Scope.Scope>> = [
          contestant(startDocport({ DATABASE_PROVIDER: "memory" }, { ...options.processOptions, ...on }), "memory"),
          contestant(startBaseline(on), "map"),
          contestant(startHttpApiBaseline(on), "map"),
          contestant(startSecuredHttpApiBaseline(on), "map"),
          contestant(startTrainedHttpApiBaseline(on), "map"),
          ...(options.floor ? [contestant(startPlatformFloor(on), "map")] : []),
          ...(beforeBuild === undefined ? [] : [contestant(startDocportBuild("before", beforeBuild, on), "memory")])
        ]
        // The order two servers start in moved their CPU ratio by up to 6 % (settingsBench, both
        // orders measured), so docport starts first in odd rounds and last in even ones, and
        // summary.ts weighs the two orders alike.
        const first = docportStartsFirst(round)
        const started: Array<Contestant> = []
        for (const start of first ? starts : [...starts].reverse()) started.push(yield* start)
        // The turns keep their own order, whatever the start order was.
        const inOrder = first ? started : started.reverse()
        const measured = yield* runScenarios(inOrder, round, settings)
        if (settings.postCyclesS > 0 && settings.scenarios.includes("post")) {
          const servers = inOrder.filter((c) => c.target.name === "docport" || c.target.name === "httpapi")
          const run = settings.generator === "wrk" ? runWrkScenario : runLoad
          for (const r of yield* postOverCycles(servers, inOrder, { number: round, docportFirst: first }, run, { ...settings, spanS: settings.postCyclesS })) {
            const gcs = r.fullGcs === undefined ? "" : `; ${r.fullGcs.count} full collections (${r.fullGcs.pauseMs.toFixed(1)} ms of pauses)`
            settings.log(`  round ${round} post over ${settings.postCyclesS} s ${r.target}: ${describe(r.result)}, p99.9 ${r.result.p999?.toFixed(2)} ms${gcs}`)
            cycles.push(r)
          }
        }
        return measured
      }))
      runs.push(...contestants)
    }
    return { runs, cycles }
  })

/**
 * docport on a remote backend: each round a fresh docport process over fresh collections
 * (`docportEnv` names them), against the one backend server the caller started.
 */
export const onBackend = (
  backend: string,
  docportEnv: (round: number) => Effect.Effect<Record<string, string>, Error>,
  settings: HttpSettings,
  processOptions: ProcessOptions = {}
) =>
  Effect.gen(function*() {
    const runs: Array<HttpRun> = []
    for (let round = 1; round <= settings.rounds; round++) {
      const env = yield* docportEnv(round)
      runs.push(...yield* Effect.scoped(Effect.gen(function*() {
        const docport = yield* startDocport({ ...env, DATABASE_PROVIDER: backend }, processOptions)
        return yield* runScenarios([{ target: docport, backend, agents: newAgents() }], round, settings)
      })))
    }
    return runs
  })
