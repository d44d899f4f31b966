/**
 * Writes a run's report and chart again from its JSON, e.g. after a change to the report:
 * `tsx bench/render.ts bench/results/<date>.json`
 */
import { readFileSync } from "node:fs"
import { dirname } from "node:path"
import type { Results } from "./report/markdown.js"
import { summarize, writeResults } from "./report/write.js"

const [path] = process.argv.slice(2)
if (path === undefined) {
  console.error("usage: tsx bench/render.ts bench/results/<date>.json")
  process.exit(2)
}
const results = JSON.parse(readFileSync(path, "utf8")) as Results
writeResults(dirname(path), { ...results, summary: summarize(results) })
console.log(`written: ${path.replace(/\.json$/, "")}.md, .json and .svg`)
