import type { Comparison } from "./summary.js"
import { markdownTable } from "./table.js"

const n0 = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? "–" : Math.round(n).toLocaleString("en-US"))
const n2 = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? "–" : n.toFixed(2))
const ms = (n: number) => (n >= 10 ? n.toFixed(1) : n.toFixed(2))
const mark = (ok: boolean) => (ok ? "✅" : "❌")

/** Issue 15's targets: CPU per request ≤ 1.1 × the bare HttpApi's, p99 ≤ 3 × p50. */
export const CPU_TARGET = 1.1
export const TAIL_TARGET = 3

/**
 * docport against its own framework: the same agent routes as a bare HttpApi over a Map, and
 * each server's tail (p99 / p50, the median over rounds of each run's ratio). When measured, also
 * against that HttpApi with docport's sign-in middleware declared: the target is judged against
 * the bare one, as issue 15 sets it; the second ratio shows how much of the gap is running a
 * middleware before each handler, which any HttpApi with sign-in pays. When measured, also against
 * that HttpApi trained before its port opens as docport's warm-up trains docport: the two then
 * compete in the same state, each having served the UI's mix of its routes before the scenario.
 * With --http-before, also this build
 * over docport built at that commit, measured in the same rounds.
 */
export const httpApiTable = (comparisons: ReadonlyArray<Comparison>): string | undefined => {
  const measured = comparisons.filter((c) => c.httpApi !== undefined)
  if (measured.length === 0) return undefined
  const signedIn = measured.some((c) => c.signedInHttpApi !== undefined)
  const trained = measured.some((c) => c.trainedHttpApi !== undefined)
  const before = measured.some((c) => c.before !== undefined)
  const header = [
    "scenario",
    "server CPU µs/req docport / HttpApi",
    "docport / HttpApi CPU",
    ...(signedIn ? ["docport / HttpApi with sign-in CPU"] : []),
    ...(trained ? ["docport / HttpApi trained alike CPU"] : []),
    ...(before ? ["docport / its earlier build CPU"] : []),
    "req/s docport / HttpApi",
    "p50 / p99 ms docport",
    "p50 / p99 ms HttpApi",
    "p99 / p50 docport / HttpApi",
    `CPU ≤ ${CPU_TARGET}`,
    ...(trained ? [`CPU ≤ ${CPU_TARGET}, trained alike`] : []),
    `p99 ≤ ${TAIL_TARGET} × p50`
  ]
  const rows = measured.map((c) => [
    c.label,
    `${n0(c.docport.cpuUsPerRequest)} / ${n0(c.httpApi!.cpuUsPerRequest)}`,
    `**${n2(c.httpApiCpuRatio)}**`,
    ...(signedIn ? [`${n2(c.signedInHttpApiCpuRatio)} (${n0(c.signedInHttpApi?.cpuUsPerRequest)} µs)`] : []),
    ...(trained ? [`**${n2(c.trainedHttpApiCpuRatio)}** (${n0(c.trainedHttpApi?.cpuUsPerRequest)} µs)`] : []),
    ...(before ? [`${n2(c.beforeCpuRatio)} (${n0(c.before?.cpuUsPerRequest)} µs)`] : []),
    `${n0(c.docport.rps)} / ${n0(c.httpApi!.rps)}`,
    `${ms(c.docport.p50)} / ${ms(c.docport.p99)}`,
    `${ms(c.httpApi!.p50)} / ${ms(c.httpApi!.p99)}`,
    `**${n2(c.docport.tail)}** / ${n2(c.httpApi!.tail)}`,
    mark((c.httpApiCpuRatio ?? Infinity) <= CPU_TARGET),
    ...(trained ? [mark((c.trainedHttpApiCpuRatio ?? Infinity) <= CPU_TARGET)] : []),
    mark(c.docport.tail <= TAIL_TARGET)
  ])
  return markdownTable(header, rows)
}
