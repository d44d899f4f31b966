import type { ScenarioId } from "../http/scenarios.js"
import { markdownTable as table } from "../report/table.js"
import { median } from "../support/stats.js"
import type { ClusterRun } from "./clusterBench.js"

export interface ClusterFigures {
  readonly scenario: ScenarioId
  readonly workers: number
  readonly rps: number
  readonly p50: number
  readonly p99: number
  readonly docportCores: number
  readonly backendCores: number
  readonly docportCpuUsPerRequest: number
  readonly errors: number
  /** req/s over the one-worker figure of the same scenario. */
  readonly speedup: number
}

/** Medians over the rounds, per scenario and number of workers. */
export const clusterFigures = (runs: ReadonlyArray<ClusterRun>): Array<ClusterFigures> => {
  const keys = [...new Set(runs.map((r) => `${r.scenario} ${r.workers}`))]
  const figures = keys.map((key) => {
    const rs = runs.filter((r) => `${r.scenario} ${r.workers}` === key)
    return {
      scenario: rs[0]!.scenario,
      workers: rs[0]!.workers,
      rps: median(rs.map((r) => r.result.rps)),
      p50: median(rs.map((r) => r.result.p50)),
      p99: median(rs.map((r) => r.result.p99)),
      docportCores: median(rs.map((r) => r.docportCores)),
      backendCores: median(rs.map((r) => r.backendCores)),
      docportCpuUsPerRequest: median(rs.map((r) => r.docportCpuUsPerRequest)),
      errors: rs.reduce((sum, r) => sum + r.result.errors, 0)
    }
  })
  return figures.map((f) => {
    const one = figures.find((g) => g.scenario === f.scenario && g.workers === 1)
    return { ...f, speedup: one === undefined ? Number.NaN : f.rps / one.rps }
  })
}

const fixed = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : "–")

export const clusterTable = (runs: ReadonlyArray<ClusterRun>) =>
  table(
    ["scenario", "WORKERS", "req/s", "× 1 worker", "p50 ms", "p99 ms", "docport cores", "pouchdb-server cores", "docport CPU µs/req", "errors"],
    clusterFigures(runs).map((f) => [
      f.scenario,
      String(f.workers),
      fixed(f.rps, 0),
      fixed(f.speedup, 2),
      fixed(f.p50, 1),
      fixed(f.p99, 1),
      fixed(f.docportCores, 2),
      fixed(f.backendCores, 2),
      fixed(f.docportCpuUsPerRequest, 0),
      String(f.errors)
    ])
  )

const roundsTable = (runs: ReadonlyArray<ClusterRun>) =>
  table(
    ["round", "scenario", "WORKERS", "req/s", "p50 ms", "p99 ms", "docport cores", "pouchdb-server cores", "errors", "409s"],
    runs.map((r) => [
      String(r.round),
      r.scenario,
      String(r.workers),
      fixed(r.result.rps, 0),
      fixed(r.result.p50, 1),
      fixed(r.result.p99, 1),
      fixed(r.docportCores, 2),
      fixed(r.backendCores, 2),
      String(r.result.errors),
      String(r.result.conflicts)
    ])
  )

/** The section of the results file. */
export const clusterSection = (runs: ReadonlyArray<ClusterRun>) =>
  runs.length === 0 ? "" : [
    "## Beyond one core: WORKERS on pouchdb-server",
    "",
    "docport with `WORKERS=1` (one process) against more workers (node:cluster), on couchdb: each measurement on a " +
    "fresh pouchdb-server and a fresh docport with 1,000 agents, the order alternating from round to round; medians " +
    "over the rounds. The load generator (autocannon, in a worker thread of the bench's process), pouchdb-server (one node process) and " +
    "docport's workers share this machine's cores, so a second worker can only win what the other two leave free.",
    "",
    clusterTable(runs),
    "",
    "### Every round",
    "",
    roundsTable(runs),
    ""
  ].join("\n")
