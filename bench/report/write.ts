import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { httpChart } from "./chart.js"
import { markdown, type Results } from "./markdown.js"
import { bulkFigures, compareWithBaseline, httpByBackend, portFigures } from "./summary.js"

/** The summary tables, computed from the rounds. */
export const summarize = (measured: Pick<Results, "http" | "port" | "bulk">): Results["summary"] => ({
  comparisons: compareWithBaseline(measured.http),
  backends: httpByBackend(measured.http),
  port: portFigures(measured.port),
  bulk: bulkFigures(measured.bulk)
})

/** Writes <date>.json, .md and .svg into the directory. */
export const writeResults = (dir: string, results: Results) => {
  mkdirSync(dir, { recursive: true })
  const s = results.settings as { rounds?: number; durationS?: number }
  const subtitle = `${results.date.slice(0, 10)}, ${results.machine.cpus} × ${results.machine.cpuModel}, ` +
    `median of ${s.rounds} round(s) of ${s.durationS} s`
  writeFileSync(join(dir, `${results.date}.svg`), httpChart(results.summary.comparisons, results.summary.backends, subtitle))
  writeFileSync(join(dir, `${results.date}.json`), JSON.stringify(results, null, 2) + "\n")
  writeFileSync(join(dir, `${results.date}.md`), markdown(results, `./${results.date}.svg`))
}
