// Instructions per call, the adapter against the backend's own client (the port bench's "raw"),
// counted by valgrind instead of timed: the port bench's target of 1.10 sits inside this machine's
// timing noise, where the same code scored 6, 8 and 10 of its 12 cells in three runs.
//
// Each count runs portCalls.ts: it starts the backend's server (not counted: valgrind does not
// follow child processes), loads the documents through the adapter and makes BENCH_WARM calls with
// one client uncounted, then BENCH_COUNT more in a counted window (bench/support/callgrind.ts):
// that client's instructions per call, its own work, the SDK's, compilation and GC, without the
// server's.
//
// Run: npx tsx bench/port/portInstructionBench.ts [backend:op ...] (default: every op on
// dynamodb); BENCH_WARM (2000), BENCH_COUNT (1000); CALLGRIND_OUT=dir keeps the profiles for
// bench/support/callgrindFunctions.ts. Two runs a cell, side by side. With the warm-up uncounted
// (about ten times faster than counted), nano on pouchdb-server no longer meets the keep-alive
// socket it met when the whole run was slowed fifty times (the server had closed it while the
// slowed client's idle timer was late; "other side closed"). Even after 2,000 calls V8 is still
// optimizing both clients' code (traced over the next 1,000 DynamoDB gets: 57 functions for the
// adapter, 37 for the raw client), so a count holds some compilation, more of it for the adapter,
// whose Effect closures are more functions to compile.
import { bundle, countInstructions, countRuns, ratioRow, writeReport } from "../support/callgrind.js"

const cells = process.argv.slice(2).length > 0
  ? process.argv.slice(2)
  : ["get", "save", "find", "getMany"].map((op) => `dynamodb:${op}`)
const warm = Number(process.env.BENCH_WARM ?? 2000)
const count = Number(process.env.BENCH_COUNT ?? 1000)

const script = bundle("bench/port/portCalls.ts")
const results = await countRuns(
  cells.flatMap((cell) =>
    ["adapter", "raw"].map((client) => ({
      key: `${cell} ${client}`,
      run: () => countInstructions(script.path, [...cell.split(":"), client], { BENCH_WARM: String(warm), BENCH_COUNT: String(count) })
    }))
  )
)
script.remove()

const lines = [
  `instructions per call (thousands), client side, ${count} counted after ${warm} uncounted`,
  "",
  "| backend | op | adapter | raw client | adapter / raw |",
  "| --- | --- | --- | --- | --- |"
]
for (const cell of cells) lines.push(ratioRow(results, count, cell.split(":"), `${cell} adapter`, `${cell} raw`))
writeReport("instructions-port", lines, results)
