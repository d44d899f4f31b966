/**
 * The real client's heavy calls: GET /agents of 500 and of 2,000 agents of realistic size, GET
 * /deployments joining 200 deployments to their agents, and the unpaged data-store list of 10,000
 * records. docport (this build) and docport as it was before a given commit (built from git into
 * bench/.before/) run side by side on memory, each scenario on a fresh pair of processes, the order
 * alternating. Memory: the server's peak RSS during the load above its RSS just before it, per
 * concurrent request; it should stay flat from 500 to 2,000 agents when a request holds a page.
 */
import type { Request } from "autocannon"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { call, HEAVY_SCENARIOS, type HeavyScenario, type HeavyScenarioId } from "./heavySeeds.js"
import { buildDocportAt, CURRENT_BUILD, type HttpTarget, ROOT, startDocport, startDocportBuild } from "../support/processes.js"
import { median } from "../support/stats.js"
import { type LoadResult, runLoad } from "./load.js"


export interface HeavySettings {
  readonly connections: number
  readonly durationS: number
  readonly warmupS: number
  readonly rounds: number
  /** A git revision to measure against (docport before streaming), or undefined for docport alone. */
  readonly before: string | undefined
  readonly log: (line: string) => void
}

export interface HeavyRun {
  readonly target: string
  readonly round: number
  readonly scenario: HeavyScenarioId
  /** Items in the answer and its size. */
  readonly items: number
  readonly bodyBytes: number
  readonly result: LoadResult
  readonly rssBeforeMB: number
  readonly rssPeakMB: number
  /** (peak − before) / connections. */
  readonly perRequestMB: number
  /** In heavyChild.ts: the heap in use after a full collection, before and at its peak under the load, per concurrent request. */
  readonly live: LiveHeap
}

export interface LiveHeap {
  readonly beforeMB: number
  readonly peakMB: number
  readonly perRequestMB: number
  readonly requests: number
}

/** heavyChild.ts on one build (its dist/ directory), in a fresh process. */
const liveHeap = (dist: string, scenario: HeavyScenarioId, clients: number, seconds: number) =>
  Effect.async<LiveHeap, Error>((resume) => {
    const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", "bench/http/heavyChild.ts", dist, scenario, String(clients), String(seconds)], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: "warning" },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let out = ""
    child.stdout.on("data", (d: Buffer) => (out = (out + d.toString()).slice(-20_000)))
    child.stderr.on("data", (d: Buffer) => (out = (out + d.toString()).slice(-20_000)))
    child.on("exit", (code) => {
      const line = out.trim().split("\n").at(-1) ?? ""
      if (code !== 0 || !line.startsWith("{")) return resume(Effect.fail(new Error(`heavyChild ${scenario} on ${dist} failed (exit ${code}):\n${out}`)))
      resume(Effect.succeed(JSON.parse(line) as LiveHeap))
    })
    return Effect.sync(() => child.kill("SIGKILL"))
  })

const rssMB = (pid: number): number => {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))
    return match === null ? Number.NaN : Number(match[1]) / 1024
  } catch {
    return Number.NaN
  }
}

/** The highest RSS of the process while `effect` runs, sampled every 5 ms. */
const peakRss = <A, E>(pid: number, effect: Effect.Effect<A, E>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const state = { peak: rssMB(pid), timer: undefined as NodeJS.Timeout | undefined }
      state.timer = setInterval(() => (state.peak = Math.max(state.peak, rssMB(pid))), 5)
      return state
    }),
    (state) => Effect.map(effect, (a) => [a, state] as const),
    (state) => Effect.sync(() => clearInterval(state.timer))
  ).pipe(Effect.map(([a, state]) => [a, Math.max(state.peak, rssMB(pid))] as const))

const heavyRequest = (path: string): Request => ({ method: "GET", path })

const measure = (target: HttpTarget, scenario: HeavyScenario, round: number, settings: HeavySettings) =>
  Effect.gen(function*() {
    const check = yield* call(target.url, "GET", scenario.path, undefined, 200)
    if (!Array.isArray(check.body) || check.body.length !== scenario.items) {
      return yield* Effect.fail(new Error(`${target.name} ${scenario.path}: ${Array.isArray(check.body) ? check.body.length : "no"} items, expected ${scenario.items}`))
    }
    const requests = { requests: [heavyRequest(scenario.path)] }
    const options = { connections: settings.connections, durationS: settings.durationS, serverPid: target.pid }
    const rssBeforeMB = rssMB(target.pid)
    const [result, rssPeakMB] = yield* peakRss(target.pid, Effect.zipRight(
      settings.warmupS > 0 ? runLoad(target.url, requests, { ...options, durationS: settings.warmupS }) : Effect.void,
      runLoad(target.url, requests, options)
    ))
    const run: Omit<HeavyRun, "live"> = {
      target: target.name,
      round,
      scenario: scenario.id,
      items: scenario.items,
      bodyBytes: Buffer.byteLength(check.text),
      result,
      rssBeforeMB,
      rssPeakMB,
      perRequestMB: (rssPeakMB - rssBeforeMB) / settings.connections
    }
    settings.log(
      `  round ${round} ${scenario.id.padEnd(15)} ${target.name.padEnd(18)}: ${Math.round(result.rps)} req/s, p50 ${result.p50.toFixed(1)} ms, ` +
        `p99 ${result.p99.toFixed(1)} ms, ${result.errors} errors, CPU ${Math.round(result.cpuUsPerRequest)} µs/req, ` +
        `RSS ${rssBeforeMB.toFixed(0)} → ${rssPeakMB.toFixed(0)} MB (${run.perRequestMB.toFixed(1)} MB per concurrent request), body ${(run.bodyBytes / 1e6).toFixed(2)} MB`
    )
    return run
  })

/** Every scenario on a fresh pair of processes (docport and, with `before`, its earlier build), alternating who goes first. */
export const heavyBench = (settings: HeavySettings) =>
  Effect.gen(function*() {
    const beforeBuild = settings.before === undefined ? undefined : yield* buildDocportAt(settings.before)
    const beforeName = `before ${settings.before}`
    const distOf = (target: string) => target === beforeName && beforeBuild !== undefined ? beforeBuild.dist : CURRENT_BUILD.dist
    const runs: Array<HeavyRun> = []
    for (let round = 1; round <= settings.rounds; round++) {
      for (const [index, scenario] of HEAVY_SCENARIOS.entries()) {
        const loaded = yield* Effect.scoped(Effect.gen(function*() {
          const targets: Array<HttpTarget> = [yield* startDocport({ DATABASE_PROVIDER: "memory" })]
          if (beforeBuild !== undefined) targets.push(yield* startDocportBuild(beforeName, beforeBuild))
          for (const target of targets) yield* scenario.seed(target.url)
          const order = (round + index) % 2 === 0 ? targets : [...targets].reverse()
          return yield* Effect.forEach(order, (target) => measure(target, scenario, round, settings))
        }))
        // Then each build alone in a process of its own, for the memory its requests keep alive.
        for (const run of loaded) {
          const live = yield* liveHeap(distOf(run.target), scenario.id, settings.connections, settings.durationS)
          settings.log(
            `  round ${round} ${scenario.id.padEnd(15)} ${run.target.padEnd(18)}: live heap ${live.beforeMB.toFixed(1)} → ${live.peakMB.toFixed(1)} MB ` +
              `under ${settings.connections} clients (${live.perRequestMB.toFixed(2)} MB per concurrent request, ${live.requests} requests)`
          )
          runs.push({ ...run, live })
        }
      }
    }
    return runs
  })

const mb = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : "–")

/** Medians over the rounds, one row per scenario and server. */
export const heavyTable = (runs: ReadonlyArray<HeavyRun>): string => {
  const rows: Array<string> = [
    "| scenario | server | items | body MB | req/s | p50 ms | p99 ms | CPU µs/req | live heap per concurrent request, MB | RSS peak − before per concurrent request, MB | errors |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  ]
  const keys = [...new Set(runs.map((r) => `${r.scenario}\u0000${r.target}`))]
  for (const key of keys) {
    const [scenario, target] = key.split("\u0000") as [HeavyScenarioId, string]
    const these = runs.filter((r) => r.scenario === scenario && r.target === target)
    const m = (f: (r: HeavyRun) => number) => median(these.map(f))
    rows.push(
      `| ${scenario} | ${target} | ${these[0]!.items.toLocaleString("en-US")} | ${(m((r) => r.bodyBytes) / 1e6).toFixed(2)} | ${Math.round(m((r) => r.result.rps))} | ` +
        `${m((r) => r.result.p50).toFixed(1)} | ${m((r) => r.result.p99).toFixed(1)} | ${Math.round(m((r) => r.result.cpuUsPerRequest))} | ` +
        `${m((r) => r.live.perRequestMB).toFixed(2)} | ${mb(m((r) => r.perRequestMB))} | ${these.reduce((sum, r) => sum + r.result.errors, 0)} |`
    )
  }
  return rows.join("\n")
}
