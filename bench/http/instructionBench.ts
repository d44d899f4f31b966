// Instructions per request, docport against the bare HttpApi, counted by valgrind instead of
// timed (bench/support/callgrind.ts says why, what the count leaves out and how far it moves).
//
// Not precise enough yet (README, "Instructions instead of seconds"): two runs' difference over
// 1,000 requests moves by 10 - 20 % from one pair of runs to the next.
//
// Each count runs appCostBench.ts with one application alone in the process (no sockets): a
// base run builds it, seeds it and warms it with BENCH_WARM requests; a counted run does the same
// and then BENCH_COUNT more. (counted - base) / BENCH_COUNT is its instructions per request, GC
// included as it falls. The warm-up is long because V8 keeps optimizing functions that run once a
// request for thousands of requests (traced, PUT, one application alone: 25 more optimized over the
// 1,000 after 3,000, 3 over the 1,000 after 6,000);
// counted earlier, docport's larger code paid for more compilation than the HttpApi's.
//
// Run: npx tsx bench/http/instructionBench.ts [get put post list mix] (default: all five); the
// environment reaches the app, so BENCH_OBSERVE=off, BENCH_INSTRUMENT=off or LOG_LEVEL=warn count
// docport without that part; BENCH_SIDES=docport leaves the bare HttpApi out (it does not change
// with them). BENCH_WARM (6000), BENCH_COUNT (1000). Four counts a scenario, two at a time.
import { bundle, countInstructions, countPairs, ratioRow, writeReport } from "../support/callgrind.js"

const scenarios = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ["get", "put", "post", "list", "mix"]
const warm = Number(process.env.BENCH_WARM ?? 6000)
const count = Number(process.env.BENCH_COUNT ?? 1000)
const sides = process.env.BENCH_SIDES === "docport" ? ["docport"] : ["docport", "httpapi"]

const script = bundle("bench/http/appCostBench.ts")
const results = await countPairs(
  scenarios.flatMap((scenario) =>
    sides.map((side) => ({
      key: `${scenario} ${side}`,
      run: (n: number) => countInstructions(script.path, [scenario], { BENCH_ONLY: side, BENCH_WARM: String(warm), BENCH_COUNT: String(n) })
    }))
  ),
  count
)
script.remove()

const parts = ["BENCH_OBSERVE", "BENCH_INSTRUMENT", "LOG_LEVEL"].filter((k) => process.env[k] !== undefined).map((k) => `${k}=${process.env[k]}`)
const lines = [
  `instructions per request (thousands), after ${warm} requests, ${count} counted${parts.length > 0 ? `, ${parts.join(" ")}` : ""}`,
  "",
  "| scenario | docport | bare HttpApi | docport / HttpApi |",
  "| --- | --- | --- | --- |"
]
for (const scenario of scenarios) lines.push(ratioRow(results, count, [scenario], `${scenario} docport`, `${scenario} httpapi`))
writeReport("instructions-http", lines, results)
