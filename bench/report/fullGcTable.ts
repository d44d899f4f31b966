import type { HttpRun } from "../http/httpBench.js"
import { SCENARIOS } from "../http/scenarios.js"
import { markdownTable } from "./table.js"

/**
 * docport's tail on memory round by round, beside the full collections V8 made during each
 * continuous run (docport_gc_pause_seconds, read before and after it). Undefined for runs made
 * before docport counted them.
 */
export const fullGcTable = (runs: ReadonlyArray<HttpRun>): string | undefined => {
  const counted = runs.filter((r) => r.target === "docport" && r.backend === "memory" && r.fullGcs !== undefined)
  if (counted.length === 0) return undefined
  const rounds = [...new Set(counted.map((r) => r.round))].sort((a, b) => a - b)
  const rows = SCENARIOS.flatMap((scenario) => {
    const these = counted.filter((r) => r.scenario === scenario.id)
    if (these.length === 0) return []
    return [[
      scenario.label,
      ...rounds.map((round) => {
        const r = these.find((run) => run.round === round)
        if (r === undefined) return ""
        const { count, pauseMs } = r.fullGcs!
        return `${(r.result.p99 / r.result.p50).toFixed(2)} (${count}${count === 0 ? "" : `, ${pauseMs.toFixed(0)} ms`})`
      })
    ]]
  })
  return markdownTable(["scenario", ...rounds.map((round) => `round ${round}: p99 / p50 (full collections, their pauses)`)], rows)
}
