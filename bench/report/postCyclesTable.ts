import type { CycleRun } from "../http/postCycles.js"
import { markdownTable } from "./table.js"

const ms = (n: number | undefined) => (n === undefined ? "–" : n.toFixed(2))

/**
 * POST over a span of V8's full collections (http/postCycles.ts), round by round: docport and the
 * bare HttpApi, with docport's full collections in the span. Undefined when none was measured.
 */
export const postCyclesTable = (runs: ReadonlyArray<CycleRun>): string | undefined => {
  if (runs.length === 0) return undefined
  const rows = [...runs]
    .sort((a, b) => a.round - b.round || a.target.localeCompare(b.target))
    .map((r) => {
      const { result } = r
      const ratio = result.p99 / result.p50
      return [
        String(r.round),
        r.target,
        result.durationS.toFixed(0),
        Math.round(result.requests).toLocaleString("en-US"),
        `${ms(result.p50)} / ${ms(result.p99)} / ${ms(result.p999)}`,
        r.target === "docport" ? `**${ratio.toFixed(2)}** ${ratio <= 3 ? "✅" : "❌"}` : ratio.toFixed(2),
        r.fullGcs === undefined ? "–" : `${r.fullGcs.count} (${r.fullGcs.pauseMs.toFixed(0)} ms)`
      ]
    })
  return markdownTable(["round", "server", "s", "requests", "p50 / p99 / p99.9 ms", "p99 / p50 (≤ 3)", "full collections (their pauses)"], rows)
}
