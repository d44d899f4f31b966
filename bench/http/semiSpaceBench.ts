// What V8's young generation size does to docport: GET /agents (100 agents) at 32 connections on
// memory, docport as built for `npm start`, with Node's default semi-space (16 MB on 64-bit) and
// with larger ones (--max-semi-space-size=N, in MB, after npm start's own flag, so it wins).
// Fresh servers in every round, the order rotating; medians over rounds. The table also goes to
// bench/results/semi-space-<date>.md.
// Run: npx tsx bench/http/semiSpaceBench.ts (BENCH_ROUNDS, BENCH_SIZES=16,32,64, BENCH_SCENARIO=list)
import { Effect } from "effect"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { buildDocport, ROOT, startBuiltDocport } from "../support/processes.js"
import { runLoad } from "./load.js"
import { newAgents, SCENARIOS, seedAgents } from "./scenarios.js"
import { median } from "../support/stats.js"

const sizes = (process.env.BENCH_SIZES ?? "default,32,64").split(",")
const rounds = Number(process.env.BENCH_ROUNDS ?? 4)
const scenario = SCENARIOS.find((s) => s.id === (process.env.BENCH_SCENARIO ?? "list"))!

const measure = (size: string) =>
  Effect.scoped(Effect.gen(function*() {
    const docport = yield* startBuiltDocport(
      { DATABASE_PROVIDER: "memory", WARMUP: "off" },
      { nodeFlags: [`--max-semi-space-size=${size === "default" ? 16 : size}`] }
    )
    const agents = newAgents()
    yield* seedAgents(docport.url, agents, scenario.agents)
    yield* runLoad(docport.url, { scenario: scenario.id, agents }, { connections: 32, durationS: 3 })
    return yield* runLoad(docport.url, { scenario: scenario.id, agents }, { connections: 32, durationS: 6, serverPid: docport.pid })
  }))

const program = Effect.gen(function*() {
  yield* buildDocport
  const results: Record<string, Array<{ p50: number; p99: number; rps: number; cpu: number }>> = Object.fromEntries(sizes.map((s) => [s, []]))
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < sizes.length; k++) {
      const size = sizes[(k + round) % sizes.length]!
      const r = yield* measure(size)
      results[size]!.push({ p50: r.p50, p99: r.p99, rps: r.rps, cpu: r.cpuUsPerRequest })
      console.error(`round ${round + 1} semi-space ${size}: ${Math.round(r.rps)} req/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, ${Math.round(r.cpuUsPerRequest)} µs CPU`)
    }
  }
  const lines = [
    `${scenario.label}, ${rounds} rounds, ${new Date().toISOString()}`,
    "",
    "| semi-space (MB) | req/s | p50 ms | p99 ms | p99 / p50 | CPU µs/req |",
    "| --- | --- | --- | --- | --- | --- |"
  ]
  for (const size of sizes) {
    const rs = results[size]!
    lines.push(
      `| ${size} | ${Math.round(median(rs.map((r) => r.rps)))} | ${median(rs.map((r) => r.p50)).toFixed(1)} | ${median(rs.map((r) => r.p99)).toFixed(1)} | ${
        median(rs.map((r) => r.p99 / r.p50)).toFixed(2)
      } | ${Math.round(median(rs.map((r) => r.cpu)))} |`
    )
  }
  console.log(lines.join("\n"))
  writeFileSync(join(ROOT, "bench", "results", `semi-space-${scenario.id}-${new Date().toISOString().replace(/[:.]/g, "-")}.md`), `${lines.join("\n")}\n`)
})

Effect.runPromise(program).then(() => process.exit(0), (error) => {
  console.error(error)
  process.exit(1)
})
