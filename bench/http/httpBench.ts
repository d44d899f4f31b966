import { Effect } from "effect"
import {
  buildDocportAt,
  type HttpTarget,
  type ProcessOptions,
  startBaseline,
  startDocport,
  startDocportBuild,
  startHttpApiBaseline,
  startPlatformFloor,
  startSecuredHttpApiBaseline
} from "../support/processes.js"
import { loadGeneratorPinned, type Pinning } from "../support/cpu.js"
import { type LoadOptions, type LoadResult, runLoad, runTogether } from "./load.js"
import { type Agents, newAgents, SCENARIOS, type ScenarioId, seedAgents } from "./scenarios.js"

export interface HttpSettings extends LoadOptions {
  readonly warmupS: number
  readonly rounds: number
  readonly scenarios: ReadonlyArray<ScenarioId>
  readonly log: (line: string) => void
}

/** One measured run: which server, on which backend, in which round, under which scenario. */
export interface HttpRun {
  readonly target: string
  readonly backend: string
  readonly round: number
  readonly scenario: ScenarioId
  readonly result: LoadResult
}

interface Contestant {
  readonly target: HttpTarget
  readonly backend: string
  readonly agents: Agents
}

const describe = (r: LoadResult) =>
  `${Math.round(r.rps)} req/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, ${r.errors} errors, ${r.conflicts} 409, ` +
  `server CPU ${Math.round(r.cpuUsPerRequest)} µs/req (${(r.cpuShare * 100).toFixed(0)}% of a core)`

/** How long each slice lasts in which the servers compared for CPU are loaded together (load.ts, runTogether). */
const SLICE_S = 1

/** The servers whose CPU per request docport's is compared with slice by slice (docport itself among them). */
const TURN_TAKERS = new Set(["docport", "httpapi", "httpapi-signin", "before"])

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
      for (const c of order) {
        const requests = scenario.requests(c.agents)
        if (settings.warmupS > 0) yield* runLoad(c.target.url, requests, { ...settings, durationS: settings.warmupS })
        results.set(c, yield* runLoad(c.target.url, requests, { ...settings, serverPid: c.target.pid }))
      }
      // docport and each other server of TURN_TAKERS in pairs, loaded together (load.ts, runTogether).
      const takers = order.filter((c) => TURN_TAKERS.has(c.target.name))
      const docport = takers.find((c) => c.target.name === "docport")
      if (docport !== undefined && takers.length > 1) {
        const target = (c: Contestant) => ({ url: c.target.url, requests: scenario.requests(c.agents), serverPid: c.target.pid })
        const docportSlices: Array<number> = []
        for (const other of takers.filter((c) => c !== docport)) {
          const pair = [target(docport), target(other)]
          // Uncounted, as long as the counted part: the first seconds of a pair are not the steady
          // state either server keeps. In the run of 1 December 09:03 UTC, 27 of the 90 servers of
          // 45 pairs began at over 1.25 x their lowest CPU per request of the last three slices
          // (docport 14 times, the other 13), up to 4.6 x and for up to 5 one-second slices, which
          // moved a pair's median ratio by up to 0.28 (GET, round 1: 0.75 over all six slices,
          // 1.03 over the last three).
          yield* runTogether(pair, { ...settings, sliceS: settings.durationS })
          const [mine, theirs] = yield* runTogether(pair, { ...settings, sliceS: SLICE_S })
          docportSlices.push(...mine!.turnCpuUsPerRequest)
          results.set(other, { ...results.get(other)!, turnCpuUsPerRequest: theirs!.turnCpuUsPerRequest, pairedCpuUsPerRequest: mine!.turnCpuUsPerRequest })
        }
        results.set(docport, { ...results.get(docport)!, turnCpuUsPerRequest: docportSlices })
      }
      for (const [c, result] of results) {
        const turns = result.turnCpuUsPerRequest.length === 0 ? "" : `, in slices ${result.turnCpuUsPerRequest.map(Math.round).join(" ")} µs/req`
        settings.log(`  round ${round} ${scenario.id.padEnd(4)} ${c.target.name}/${c.backend}: ${describe(result)}${turns}`)
        runs.push({ target: c.target.name, backend: c.backend, round, scenario: scenario.id, result })
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

/**
 * docport on memory against the baseline, each round on fresh processes; with `floor`, also the
 * baseline's routes on bare @effect/platform; with `before`, also docport built at that commit, so
 * that a change is judged within one run rather than against a run made at another hour.
 */
export const memoryVsBaseline = (settings: HttpSettings, options: MemoryVsBaselineOptions) =>
  Effect.gen(function*() {
    const runs: Array<HttpRun> = []
    const beforeBuild = options.before === undefined ? undefined : yield* buildDocportAt(options.before)
    const on: ProcessOptions = { cpu: options.pinning?.server }
    for (let round = 1; round <= settings.rounds; round++) {
      const contestants = yield* Effect.scoped(Effect.gen(function*() {
        yield* loadGeneratorPinned(options.pinning)
        const docport = yield* startDocport({ DATABASE_PROVIDER: "memory" }, { ...options.processOptions, ...on })
        const baseline = yield* startBaseline(on)
        const platform = options.floor ? [{ target: yield* startPlatformFloor(on), backend: "map", agents: newAgents() }] : []
        const earlier = beforeBuild === undefined ? [] : [{ target: yield* startDocportBuild("before", beforeBuild, on), backend: "memory", agents: newAgents() }]
        const httpApi = yield* startHttpApiBaseline(on)
        const securedHttpApi = yield* startSecuredHttpApiBaseline(on)
        return yield* runScenarios([
          { target: docport, backend: "memory", agents: newAgents() },
          { target: baseline, backend: "map", agents: newAgents() },
          { target: httpApi, backend: "map", agents: newAgents() },
          { target: securedHttpApi, backend: "map", agents: newAgents() },
          ...platform,
          ...earlier
        ], round, settings)
      }))
      runs.push(...contestants)
    }
    return runs
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
