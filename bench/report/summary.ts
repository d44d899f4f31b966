import type { BulkRun } from "../bulk/bulkBench.js"
import type { StreamRun } from "../bulk/streamBench.js"
import type { HttpRun } from "../http/httpBench.js"
import { SCENARIOS, type ScenarioId } from "../http/scenarios.js"
import type { PortOp, PortRun } from "../port/portBench.js"
import { PORT_OPS } from "../port/portBench.js"
import { median, spread } from "../support/stats.js"

/** Medians over the rounds of one server under one scenario. */
export interface HttpFigures {
  readonly rps: number
  readonly p50: number
  readonly p99: number
  /** Median over rounds of each run's p99 / p50: the tail, as a multiple of the median. */
  readonly tail: number
  readonly errors: number
  readonly conflicts: number
  readonly cpuUsPerRequest: number
  /** (max - min) / median of requests/s over the rounds: how much the machine's noise moved it. */
  readonly spread: number
  readonly rounds: number
}

export interface Comparison {
  readonly scenario: ScenarioId
  readonly label: string
  readonly docport: HttpFigures
  readonly baseline: HttpFigures
  /** Median over rounds of docport / baseline requests/s, the two measured side by side in each round. */
  readonly ratio: number
  /** Median over rounds of baseline / docport server CPU per request: the same ratio, less sensitive to noise. */
  readonly cpuRatio: number
  /** The baseline's routes on bare @effect/platform, when measured: the framework's floor. */
  readonly platform?: HttpFigures | undefined
  readonly platformRatio?: number | undefined
  readonly platformCpuRatio?: number | undefined
  /** docport's agent routes as a bare HttpApi over a Map (bench/baseline/httpApiServer.ts), when measured. */
  readonly httpApi?: HttpFigures | undefined
  /** Median over rounds of docport / bare HttpApi server CPU per request: what docport adds to its framework. */
  readonly httpApiCpuRatio?: number | undefined
}

const figures = (runs: ReadonlyArray<HttpRun>): HttpFigures => ({
  rps: median(runs.map((r) => r.result.rps)),
  p50: median(runs.map((r) => r.result.p50)),
  p99: median(runs.map((r) => r.result.p99)),
  tail: median(runs.map((r) => r.result.p99 / r.result.p50)),
  errors: runs.reduce((sum, r) => sum + r.result.errors, 0),
  conflicts: runs.reduce((sum, r) => sum + r.result.conflicts, 0),
  cpuUsPerRequest: median(runs.map((r) => r.result.cpuUsPerRequest)),
  spread: spread(runs.map((r) => r.result.rps)),
  rounds: runs.length
})

const pairedRatio = (a: ReadonlyArray<HttpRun>, b: ReadonlyArray<HttpRun>, value: (x: HttpRun, y: HttpRun) => number) =>
  median(a.flatMap((x) => b.filter((y) => y.round === x.round).map((y) => value(x, y))))

export const compareWithBaseline = (runs: ReadonlyArray<HttpRun>): Array<Comparison> =>
  SCENARIOS.flatMap((scenario) => {
    const docport = runs.filter((r) => r.scenario === scenario.id && r.target === "docport" && r.backend === "memory")
    const baseline = runs.filter((r) => r.scenario === scenario.id && r.target === "baseline")
    const platform = runs.filter((r) => r.scenario === scenario.id && r.target === "platform")
    const httpApi = runs.filter((r) => r.scenario === scenario.id && r.target === "httpapi")
    if (docport.length === 0 || baseline.length === 0) return []
    return [{
      ...(httpApi.length === 0 ? {} : {
        httpApi: figures(httpApi),
        httpApiCpuRatio: pairedRatio(docport, httpApi, (d, h) => d.result.cpuUsPerRequest / h.result.cpuUsPerRequest)
      }),
      ...(platform.length === 0 ? {} : {
        platform: figures(platform),
        platformRatio: pairedRatio(platform, baseline, (p, b) => p.result.rps / b.result.rps),
        platformCpuRatio: pairedRatio(platform, baseline, (p, b) => b.result.cpuUsPerRequest / p.result.cpuUsPerRequest)
      }),
      scenario: scenario.id,
      label: scenario.label,
      docport: figures(docport),
      baseline: figures(baseline),
      ratio: pairedRatio(docport, baseline, (d, b) => d.result.rps / b.result.rps),
      cpuRatio: pairedRatio(docport, baseline, (d, b) => b.result.cpuUsPerRequest / d.result.cpuUsPerRequest)
    }]
  })

export interface BackendHttp {
  readonly backend: string
  readonly scenario: ScenarioId
  readonly label: string
  readonly figures: HttpFigures
}

export const httpByBackend = (runs: ReadonlyArray<HttpRun>): Array<BackendHttp> => {
  const backends = [...new Set(runs.filter((r) => r.target === "docport").map((r) => r.backend))]
  return backends.flatMap((backend) =>
    SCENARIOS.flatMap((scenario) => {
      const mine = runs.filter((r) => r.target === "docport" && r.backend === backend && r.scenario === scenario.id)
      return mine.length === 0 ? [] : [{ backend, scenario: scenario.id, label: scenario.label, figures: figures(mine) }]
    })
  )
}

export interface PortFigures {
  readonly backend: string
  readonly op: PortOp
  readonly adapterOps: number
  readonly rawOps: number | undefined
  /** Time per call through the adapter over time per call through the raw client (median of paired rounds). */
  readonly overhead: number | undefined
  readonly adapterCpuUs: number
  readonly rawCpuUs: number | undefined
}

export const portFigures = (runs: ReadonlyArray<PortRun>): Array<PortFigures> => {
  const backends = [...new Set(runs.map((r) => r.backend))]
  return backends.flatMap((backend) =>
    PORT_OPS.flatMap((op) => {
      const adapter = runs.filter((r) => r.backend === backend && r.op === op && r.client === "adapter")
      const raw = runs.filter((r) => r.backend === backend && r.op === op && r.client === "raw")
      if (adapter.length === 0) return []
      const paired = adapter.flatMap((a) => raw.filter((r) => r.round === a.round).map((r) => r.opsPerS / a.opsPerS))
      return [{
        backend,
        op,
        adapterOps: median(adapter.map((r) => r.opsPerS)),
        rawOps: raw.length === 0 ? undefined : median(raw.map((r) => r.opsPerS)),
        overhead: paired.length === 0 ? undefined : median(paired),
        adapterCpuUs: median(adapter.map((r) => r.cpuUsPerOp)),
        rawCpuUs: raw.length === 0 ? undefined : median(raw.map((r) => r.cpuUsPerOp))
      }]
    })
  )
}

export interface BulkFigures {
  readonly backend: string
  readonly op: BulkRun["op"]
  readonly documents: number
  readonly ms: number
  readonly requests: number | undefined
  readonly requestKinds: Record<string, number> | undefined
  readonly rounds: number
}

export const bulkFigures = (runs: ReadonlyArray<BulkRun>): Array<BulkFigures> => {
  const keys = [...new Set(runs.map((r) => `${r.backend} ${r.op}`))]
  return keys.map((key) => {
    const mine = runs.filter((r) => `${r.backend} ${r.op}` === key)
    const last = mine[mine.length - 1]!
    return {
      backend: last.backend,
      op: last.op,
      documents: last.documents,
      ms: median(mine.map((r) => r.ms)),
      requests: last.requests === undefined ? undefined : median(mine.map((r) => r.requests ?? 0)),
      requestKinds: last.requestKinds,
      rounds: mine.length
    }
  })
}

export type { StreamRun }
