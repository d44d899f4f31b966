import type { BulkRun } from "../bulk/bulkBench.js"
import type { StreamRun } from "../bulk/streamBench.js"
import { docportStartsFirst, type HttpRun } from "../http/httpBench.js"
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
  /** Median over turns of docport / bare HttpApi server CPU per request: what docport adds to its framework. */
  readonly httpApiCpuRatio?: number | undefined
  /** The bare HttpApi with docport's sign-in middleware declared (a constant principal), when measured. */
  readonly signedInHttpApi?: HttpFigures | undefined
  /** Median over turns of docport / that server's CPU per request. */
  readonly signedInHttpApiCpuRatio?: number | undefined
  /** The bare HttpApi trained before its port opens as docport trains itself (bench/baseline/httpApiTraining.ts), when measured. */
  readonly trainedHttpApi?: HttpFigures | undefined
  /** Median over turns of docport / that server's CPU per request. */
  readonly trainedHttpApiCpuRatio?: number | undefined
  /** docport built at --http-before's commit, when measured. */
  readonly before?: HttpFigures | undefined
  /** Median over turns of this build's / that build's CPU per request. */
  readonly beforeCpuRatio?: number | undefined
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

/**
 * Median of a's CPU per request over b's, slice by slice: where b was loaded together with docport
 * (a), the slices of the two ran at the same time on one CPU (see load.ts, runTogether). Results
 * before 2026-12-01 hold turns taken one after the other instead, compared turn by turn; runs
 * without either (the baseline's and the platform's) are compared whole, round by round.
 */
const sliceRatios = (a: ReadonlyArray<HttpRun>, b: ReadonlyArray<HttpRun>) =>
  a.flatMap((x) =>
    b.filter((y) => y.round === x.round).flatMap((y) => {
      const ys = y.result.turnCpuUsPerRequest ?? []
      const paired = y.result.pairedCpuUsPerRequest
      if (paired !== undefined && paired.length === ys.length && ys.length > 0) return paired.map((cpu, slice) => cpu / ys[slice]!)
      const xs = x.result.turnCpuUsPerRequest ?? []
      return xs.length === 0 || xs.length !== ys.length
        ? [x.result.cpuUsPerRequest / y.result.cpuUsPerRequest]
        : xs.map((cpu, turn) => cpu / ys[turn]!)
    })
  )

/**
 * The median of the slice ratios of the rounds docport started first and that of the rounds it
 * started last, weighed alike (their geometric mean): the order alone moves a ratio by a few per
 * cent (httpBench.ts), and an odd number of rounds has more of one order than of the other. Runs
 * before 1 December 18:11 UTC started docport first in every round: re-rendered, their ratios
 * differ a little from the ones their reports were written with.
 */
const cpuRatio = (a: ReadonlyArray<HttpRun>, b: ReadonlyArray<HttpRun>) => {
  const byOrder = [true, false]
    .map((first) => sliceRatios(a.filter((x) => docportStartsFirst(x.round) === first), b))
    .filter((ratios) => ratios.length > 0)
    .map(median)
  return byOrder.length === 0 ? median([]) : Math.exp(byOrder.reduce((sum, r) => sum + Math.log(r), 0) / byOrder.length)
}

export const compareWithBaseline = (runs: ReadonlyArray<HttpRun>): Array<Comparison> =>
  SCENARIOS.flatMap((scenario) => {
    const docport = runs.filter((r) => r.scenario === scenario.id && r.target === "docport" && r.backend === "memory")
    const baseline = runs.filter((r) => r.scenario === scenario.id && r.target === "baseline")
    const platform = runs.filter((r) => r.scenario === scenario.id && r.target === "platform")
    const httpApi = runs.filter((r) => r.scenario === scenario.id && r.target === "httpapi")
    const signedInHttpApi = runs.filter((r) => r.scenario === scenario.id && r.target === "httpapi-signin")
    const trainedHttpApi = runs.filter((r) => r.scenario === scenario.id && r.target === "httpapi-trained")
    const before = runs.filter((r) => r.scenario === scenario.id && r.target === "before")
    if (docport.length === 0 || baseline.length === 0) return []
    return [{
      ...(httpApi.length === 0 ? {} : {
        httpApi: figures(httpApi),
        httpApiCpuRatio: cpuRatio(docport, httpApi)
      }),
      ...(signedInHttpApi.length === 0 ? {} : {
        signedInHttpApi: figures(signedInHttpApi),
        signedInHttpApiCpuRatio: cpuRatio(docport, signedInHttpApi)
      }),
      ...(trainedHttpApi.length === 0 ? {} : {
        trainedHttpApi: figures(trainedHttpApi),
        trainedHttpApiCpuRatio: cpuRatio(docport, trainedHttpApi)
      }),
      ...(before.length === 0 ? {} : {
        before: figures(before),
        beforeCpuRatio: cpuRatio(docport, before)
      }),
      ...(platform.length === 0 ? {} : {
        platform: figures(platform),
        platformRatio: pairedRatio(platform, baseline, (p, b) => p.result.rps / b.result.rps),
        platformCpuRatio: cpuRatio(baseline, platform)
      }),
      scenario: scenario.id,
      label: scenario.label,
      docport: figures(docport),
      baseline: figures(baseline),
      ratio: pairedRatio(docport, baseline, (d, b) => d.result.rps / b.result.rps),
      cpuRatio: cpuRatio(baseline, docport)
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
  /** Time per call through the adapter (the full port) over time per call through the raw client (median of paired rounds). */
  readonly overhead: number | undefined
  /** The same for the adapter's raw operations alone, without the port's rules, spans and metrics. */
  readonly rawDatabaseOverhead: number | undefined
  /** The same for the port of the --port-before commit. */
  readonly beforeOverhead: number | undefined
  /** Time per call through the working tree's port over the before commit's (median of paired rounds). */
  readonly afterOverBefore: number | undefined
  /** A second raw client, identical to the first, over it: how far the run tells two identical clients apart. */
  readonly controlOverhead: number | undefined
  readonly adapterCpuUs: number
  readonly rawDatabaseCpuUs: number | undefined
  readonly beforeCpuUs: number | undefined
  readonly rawCpuUs: number | undefined
}

const medianOrUndefined = (values: ReadonlyArray<number>) => (values.length === 0 ? undefined : median(values))

export const portFigures = (runs: ReadonlyArray<PortRun>): Array<PortFigures> => {
  const backends = [...new Set(runs.map((r) => r.backend))]
  return backends.flatMap((backend) =>
    PORT_OPS.flatMap((op) => {
      const of = (client: PortRun["client"]) => runs.filter((r) => r.backend === backend && r.op === op && r.client === client)
      const adapter = of("adapter")
      const raw = of("raw")
      const rawDatabase = of("rawdb")
      const before = of("before")
      const control = of("control")
      if (adapter.length === 0) return []
      // Time per call is 1 / ops per second: the ratio of times is the other client's rate over this one's, round by round.
      const over = (measured: ReadonlyArray<PortRun>, base: ReadonlyArray<PortRun>) =>
        medianOrUndefined(measured.flatMap((m) => base.filter((b) => b.round === m.round).map((b) => b.opsPerS / m.opsPerS)))
      return [{
        backend,
        op,
        adapterOps: median(adapter.map((r) => r.opsPerS)),
        rawOps: medianOrUndefined(raw.map((r) => r.opsPerS)),
        overhead: over(adapter, raw),
        rawDatabaseOverhead: over(rawDatabase, raw),
        beforeOverhead: over(before, raw),
        afterOverBefore: over(adapter, before),
        controlOverhead: over(control, raw),
        adapterCpuUs: median(adapter.map((r) => r.cpuUsPerOp)),
        rawDatabaseCpuUs: medianOrUndefined(rawDatabase.map((r) => r.cpuUsPerOp)),
        beforeCpuUs: medianOrUndefined(before.map((r) => r.cpuUsPerOp)),
        rawCpuUs: medianOrUndefined(raw.map((r) => r.cpuUsPerOp))
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
