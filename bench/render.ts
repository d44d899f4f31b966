/**
 * Writes a run's report and chart again from its JSON, e.g. after a change to the report:
 * `tsx bench/render.ts bench/results/<date>.json [--readme]` (--readme: also the README's latest-run block)
 */
import { readFileSync } from "node:fs"
import { dirname } from "node:path"
import type { Results } from "./report/markdown.js"
import { updateReadme } from "./report/readme.js"
import { summarize, writeResults } from "./report/write.js"

const [path] = process.argv.slice(2)
if (path === undefined) {
  console.error("usage: tsx bench/render.ts bench/results/<date>.json")
  process.exit(2)
}
const results = JSON.parse(readFileSync(path, "utf8")) as Results
const rendered = { ...results, summary: summarize(results) }
writeResults(dirname(path), rendered)
console.log(`written: ${path.replace(/\.json$/, "")}.md, .json and .svg`)
if (process.argv.includes("--readme") && updateReadme("README.md", rendered, path)) console.log("README.md: latest-run block regenerated")
