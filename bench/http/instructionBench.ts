// Instructions per request, docport against the bare HttpApi, counted by valgrind instead of
// timed (bench/support/callgrind.ts says how, and what a count leaves out).
//
// Each count runs appCostBench.ts with one application alone in the process (no sockets): it
// builds the application, seeds it and warms it with BENCH_WARM requests uncounted (valgrind's
// instrumentation off), then opens a counted window of BENCH_COUNT requests. The warm-up is long
// because V8 keeps optimizing functions that run once a request for thousands of requests: after
// 6,000 `GET`s, TurboFan's compiling was still 20 K of docport's instructions a request (2 K of
// the bare HttpApi's); after 20,000, 7 K on either side.
//
// Run: npx tsx bench/http/instructionBench.ts [get put post list mix] (default: all five); the
// environment reaches the app, so BENCH_OBSERVE=off, BENCH_INSTRUMENT=off or LOG_LEVEL=warn count
// docport without that part; BENCH_SIDES=docport leaves the bare HttpApi out (it does not change
// with them), BENCH_SIDES=docport,httpapi,secured adds the HttpApi with docport's sign-in declared.
// BENCH_TRAIN=n first sends n rounds of the other agent routes (appCostBench.ts), as mixed traffic would.
// BENCH_WARM (20000), BENCH_COUNT (2000); CALLGRIND_OUT=dir keeps the profiles for
// bench/support/callgrindFunctions.ts. One run a side and scenario, two at a time, 2 - 3 minutes a
// `GET`.
import { bundle, countInstructions, countRuns, perUnit, writeReport } from "../support/callgrind.js"

const scenarios = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ["get", "put", "post", "list", "mix"]
const warm = Number(process.env.BENCH_WARM ?? 20000)
const count = Number(process.env.BENCH_COUNT ?? 2000)
const sides = process.env.BENCH_SIDES?.split(",") ?? ["docport", "httpapi"]

const script = bundle("bench/http/appCostBench.ts")
const results = await countRuns(
  scenarios.flatMap((scenario) =>
    sides.map((side) => ({
      key: `${scenario} ${side}`,
      run: () => countInstructions(script.path, [scenario], { BENCH_ONLY: side, BENCH_WARM: String(warm), BENCH_COUNT: String(count) })
    }))
  )
)
script.remove()

const parts = ["BENCH_OBSERVE", "BENCH_INSTRUMENT", "LOG_LEVEL", "BENCH_TRAIN"].filter((k) => process.env[k] !== undefined).map((k) => `${k}=${process.env[k]}`)
const secured = sides.includes("secured")
const lines = [
  `instructions per request (thousands), ${count} counted after ${warm} uncounted${parts.length > 0 ? `, ${parts.join(" ")}` : ""}`,
  "",
  `| scenario | docport | bare HttpApi | docport / HttpApi |${secured ? " HttpApi with sign-in | docport / it |" : ""}`,
  `| --- | --- | --- | --- |${secured ? " --- | --- |" : ""}`
]
for (const scenario of scenarios) {
  const [docport, httpapi, withSignIn] = ["docport", "httpapi", "secured"].map((side) => perUnit(results, `${scenario} ${side}`, count))
  const cells = [scenario, docport!.toFixed(1), httpapi!.toFixed(1), (docport! / httpapi!).toFixed(3)]
  if (secured) cells.push(withSignIn!.toFixed(1), (docport! / withSignIn!).toFixed(3))
  lines.push(`| ${cells.join(" | ")} |`)
}
writeReport("instructions-http", lines, results)
