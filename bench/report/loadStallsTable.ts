import type { HttpRun } from "../http/httpBench.js"
import { SCENARIOS } from "../http/scenarios.js"
import { median } from "../support/stats.js"
import { markdownTable } from "./table.js"

const SERVERS = [["docport", "docport"], ["httpapi", "bare HttpApi"]] as const

const percent = (share: number) => `${Math.round(share * 100)} %`

/**
 * Where the tails of the continuous runs on memory come from: for docport and the bare HttpApi,
 * medians over the rounds of the load generator's stalls and of the tail with and without the
 * answers they met. Undefined for runs made before the load generator watched its own stalls.
 */
export const loadStallsTable = (runs: ReadonlyArray<HttpRun>): string | undefined => {
  // docport also runs on the other backends; the bare HttpApi only over its Map.
  const watched = runs.filter((r) => (r.target !== "docport" || r.backend === "memory") && r.result.loadStalls !== undefined)
  if (watched.length === 0) return undefined
  const rows = SCENARIOS.flatMap((scenario) =>
    SERVERS.flatMap(([target, name]) => {
      const these = watched.filter((r) => r.target === target && r.scenario === scenario.id)
      if (these.length === 0) return []
      const m = (value: (r: HttpRun) => number) => median(these.map(value))
      return [[
        scenario.label,
        name,
        m((r) => r.result.loadStalls.count).toFixed(0),
        `${m((r) => r.result.loadStalls.maxMs).toFixed(1)} ms`,
        `${percent(m((r) => r.result.loadStalls.slowShare))} / ${percent(m((r) => r.result.loadStalls.allShare))}`,
        m((r) => r.result.p99 / r.result.p50).toFixed(2),
        m((r) => r.result.loadStalls.untouchedP99 / r.result.loadStalls.untouchedP50).toFixed(2)
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
