import { Effect } from "effect"
import { freePort, startChildServer } from "../../test/support/ChildServer.js"
import { startPouchdbServer } from "../../test/support/pouchdbServer.js"
import { type LoadResult, runLoad } from "../http/load.js"
import { newAgents, SCENARIOS, type ScenarioId, seedAgents } from "../http/scenarios.js"
import { processCpuMs } from "../support/cpu.js"
import { CURRENT_BUILD, ROOT, START_FLAGS } from "../support/processes.js"
import { cpuBetween, treeCpuMs } from "./processTree.js"

export const CLUSTER_SCENARIOS: ReadonlyArray<ScenarioId> = ["get", "put"]

export interface ClusterSettings {
  readonly workers: ReadonlyArray<number>
  readonly connections: number
  readonly durationS: number
  readonly warmupS: number
  readonly rounds: number
  readonly log: (line: string) => void
}

/** One measured run: docport with `workers` processes on a fresh pouchdb-server. */
export interface ClusterRun {
  readonly workers: number
  readonly round: number
  readonly scenario: ScenarioId
  readonly result: LoadResult
  /** CPU time of docport's processes (primary and workers) over wall time, in cores. */
  readonly docportCores: number
  /** The same for pouchdb-server, one node process whatever the number of workers. */
  readonly backendCores: number
  readonly docportCpuUsPerRequest: number
}

// docport from its build as `npm start` runs it, on the pouchdb-server given, ready once every worker serves.
const startDocport = (workers: number, env: Record<string, string>) =>
  Effect.gen(function*() {
    const port = yield* freePort
    const ready = workers === 1 ? "Listening on" : `${workers} workers serving`
    const server = yield* startChildServer({
      name: `docport (WORKERS=${workers})`,
      command: process.execPath,
      args: [...START_FLAGS, CURRENT_BUILD.main],
      cwd: ROOT,
      env: { ...env, WORKERS: String(workers), PORT: String(port), HOST: "127.0.0.1", NODE_ENV: "production" },
      ready: (output) => output.includes(ready),
      startTimeoutMs: 120_000
    })
    return { url: `http://127.0.0.1:${port}`, pid: server.process.pid! }
  })

const measure = (workers: number, round: number, settings: ClusterSettings) =>
  Effect.scoped(Effect.gen(function*() {
    const pouchdb = yield* startPouchdbServer()
    const docport = yield* startDocport(workers, {
      DATABASE_PROVIDER: "couchdb",
      COUCHDB_URL: pouchdb.url,
      COUCHDB_USER: pouchdb.username,
      COUCHDB_PASSWORD: pouchdb.password
    })
    const agents = newAgents()
    const runs: Array<ClusterRun> = []
    for (const scenario of SCENARIOS.filter((s) => CLUSTER_SCENARIOS.includes(s.id))) {
      yield* seedAgents(docport.url, agents, scenario.agents)
      const requests = { scenario: scenario.id, agents }
      if (settings.warmupS > 0) yield* runLoad(docport.url, requests, { ...settings, durationS: settings.warmupS })
      const docportBefore = treeCpuMs(docport.pid)
      const backendBefore = processCpuMs(pouchdb.server.process.pid!) ?? Number.NaN
      const result = yield* runLoad(docport.url, requests, settings)
      const docportMs = cpuBetween(docportBefore, treeCpuMs(docport.pid))
      const backendMs = (processCpuMs(pouchdb.server.process.pid!) ?? Number.NaN) - backendBefore
      const run: ClusterRun = {
        workers,
        round,
        scenario: scenario.id,
        result,
        docportCores: docportMs / (result.durationS * 1000),
        backendCores: backendMs / (result.durationS * 1000),
        docportCpuUsPerRequest: (docportMs * 1000) / result.requests
      }
      settings.log(
        `  round ${round} ${scenario.id.padEnd(4)} WORKERS=${workers}: ${Math.round(result.rps)} req/s, p50 ${result.p50.toFixed(2)} ms, ` +
          `p99 ${result.p99.toFixed(2)} ms, ${result.errors} errors, ${result.conflicts} 409; docport ${run.docportCores.toFixed(2)} cores, ` +
          `pouchdb-server ${run.backendCores.toFixed(2)} cores`
      )
      runs.push(run)
    }
    return runs
  }))

/**
 * docport with 1 worker against docport with more, on pouchdb-server: each measurement on a fresh
 * pouchdb-server and a fresh docport, the order of the contestants rotating from round to round.
 */
export const clusterBench = (settings: ClusterSettings) =>
  Effect.gen(function*() {
    const runs: Array<ClusterRun> = []
    for (let round = 1; round <= settings.rounds; round++) {
      const shift = (round - 1) % settings.workers.length
      for (const workers of [...settings.workers.slice(shift), ...settings.workers.slice(0, shift)]) {
        runs.push(...yield* measure(workers, round, settings))
      }
    }
    return runs
  })
