import type { HttpRun } from "../http/httpBench.js"
import { SCENARIOS } from "../http/scenarios.js"
import { median } from "../support/stats.js"
import { markdownTable } from "./table.js"

const SERVERS = [["docport", "docport"], ["httpapi", "bare HttpApi"]] as const

const percent = (share: number) => `${Math.round(share * 100)} %`

/**
 * Where the tails of the continuous runs on memory come from: for docport and the bare HttpApi,
 * medians over the rounds of the load generator's stalls and of the tail with and without the
 * answers they met. Undefined for runs made before the load generator watched its own stalls,
 * and for runs loaded by wrk (wrkLoad.ts), which has no stalls of its own to watch.
 */
export const loadStallsTable = (runs: ReadonlyArray<HttpRun>): string | undefined => {
  // docport also runs on the other backends; the bare HttpApi only over its Map.
  const watched = runs.flatMap((r) =>
    (r.target !== "docport" || r.backend === "memory") && r.result.loadStalls !== undefined ? [{ ...r, stalls: r.result.loadStalls }] : []
  )
  if (watched.length === 0) return undefined
  const rows = SCENARIOS.flatMap((scenario) =>
    SERVERS.flatMap(([target, name]) => {
      const these = watched.filter((r) => r.target === target && r.scenario === scenario.id)
      if (these.length === 0) return []
      const m = (value: (r: (typeof these)[number]) => number) => median(these.map(value))
      return [[
        scenario.label,
        name,
        m((r) => r.stalls.count).toFixed(0),
        `${m((r) => r.stalls.maxMs).toFixed(1)} ms`,
        `${percent(m((r) => r.stalls.slowShare))} / ${percent(m((r) => r.stalls.allShare))}`,
        m((r) => r.result.p99 / r.result.p50).toFixed(2),
        m((r) => r.stalls.untouchedP99 / r.stalls.untouchedP50).toFixed(2)
      ]]
    })
  )
  return markdownTable(
    [
      "scenario",
      "server",
      "load generator's stalls per run",
      "longest",
      "in flight during one: answers over p99 / all answers",
      "p99 / p50",
      "p99 / p50 of the answers no stall met"
    ],
    rows
  )
}
