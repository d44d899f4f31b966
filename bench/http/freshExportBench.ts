// A fresh process's first 10 s with trace export configured: docport (warm-up on), docport with
// WARMUP=off and, with BENCH_BEFORE=rev, docport built at that commit (warm-up on), each exporting
// its spans over OTLP/HTTP to a receiver in this process that answers at once; the fresh section's
// load and tables (freshStart.ts), the servers pinned as there. What it measures: whether the
// warm-up's own tracer (WarmupTracer.ts) trains the path real requests take under export.
// Run: npx tsx bench/http/freshExportBench.ts (BENCH_ROUNDS, default 6; BENCH_BEFORE=rev). The
// tables also go to bench/results/fresh-export-<date>.md.
import { Effect } from "effect"
import { writeFileSync } from "node:fs"
import { createServer } from "node:http"
import { join } from "node:path"
import { loadGeneratorPinned, pinningPlan } from "../support/cpu.js"
import { buildDocport, buildDocportAt, type DocportBuild, ROOT, startBuiltDocport, startDocportBuild } from "../support/processes.js"
import { CLIMB_SECONDS, DOCPORT, DOCPORT_COLD, type FreshRun, freshRoundsTable, freshTable, loadBySecond } from "./freshStart.js"
import { newAgents, SCENARIOS, seedAgents } from "./scenarios.js"

const rounds = Number(process.env.BENCH_ROUNDS ?? 6)
const beforeRev = process.env.BENCH_BEFORE

const receiver = Effect.acquireRelease(
  Effect.async<{ readonly url: string; readonly close: () => void; readonly requests: () => number }>((resume) => {
    let requests = 0
    const server = createServer((request, response) => {
      request.resume()
      request.on("end", () => {
        requests++
        response.writeHead(200, { "content-type": "application/json" }).end("{}")
      })
    })
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      resume(Effect.succeed({ url: `http://127.0.0.1:${port}`, close: () => server.close(), requests: () => requests }))
    })
  }),
  ({ close }) => Effect.sync(close)
)

const program = Effect.gen(function*() {
  const otlp = yield* receiver
  // The docports inherit this process's environment.
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = otlp.url
  yield* buildDocport
  const before: DocportBuild | undefined = beforeRev === undefined ? undefined : yield* buildDocportAt(beforeRev)
  const plan = pinningPlan()
  const on = { cpu: plan?.server }
  const beforeName = `docport at ${beforeRev}`
  const starters = [
    [DOCPORT, () => startBuiltDocport({ DATABASE_PROVIDER: "memory", WARMUP: "on" }, on)],
    [DOCPORT_COLD, () => startBuiltDocport({ DATABASE_PROVIDER: "memory", WARMUP: "off" }, on)],
    ...(before === undefined ? [] : [[beforeName, () => startDocportBuild(beforeName, before, on)] as const])
  ] as const
  const get = SCENARIOS.find((s) => s.id === "get")!
  const runs: Array<FreshRun> = []
  for (let round = 1; round <= rounds; round++) {
    const shift = (round - 1) % starters.length
    for (const [name, start] of [...starters.slice(shift), ...starters.slice(0, shift)]) {
      const [readyMs, seconds] = yield* Effect.scoped(Effect.gen(function*() {
        yield* loadGeneratorPinned(plan)
        const spawned = performance.now()
        const target = yield* start()
        const readyMs = performance.now() - spawned
        const agents = newAgents()
        yield* seedAgents(target.url, agents, 10)
        return [readyMs, yield* loadBySecond(target.url, get.requests(agents), 32, 10)] as const
      }))
      console.error(`round ${round} ${name}: ${seconds.map((s) => s.rps).join(" ")} (exports received so far: ${otlp.requests()})`)
      runs.push({ target: name, round, readyMs, seconds })
    }
  }
  // Each warmed build against the unwarmed process of its round, before and after the climb.
  const ratios = (target: string) => {
    const sum = (run: FreshRun | undefined, from: number, to: number) => run?.seconds.slice(from, to).reduce((a, s) => a + s.rps, 0) ?? 0
    const per = Array.from({ length: rounds }, (_, i) => {
      const cold = runs.find((r) => r.round === i + 1 && r.target === DOCPORT_COLD)
      const warm = runs.find((r) => r.round === i + 1 && r.target === target)
      return [sum(warm, 0, CLIMB_SECONDS) / sum(cold, 0, CLIMB_SECONDS), sum(warm, CLIMB_SECONDS, 10) / sum(cold, CLIMB_SECONDS, 10)]
    })
    return `${target} / ${DOCPORT_COLD}, round by round: seconds 1 - ${CLIMB_SECONDS} ${per.map(([a]) => a!.toFixed(2)).join(", ")}; ` +
      `after ${per.map(([, b]) => b!.toFixed(2)).join(", ")}`
  }
  const stamp = new Date().toISOString()
  const report = [
    `GET /agents/{id} on a fresh process with trace export to an OTLP/HTTP receiver that answers at once, ${rounds} rounds, ${stamp}`,
    "",
    freshTable(runs) ?? "",
    "",
    ratios(DOCPORT),
    ...(before === undefined ? [] : ["", ratios(beforeName)]),
    "",
    freshRoundsTable(runs) ?? ""
  ].join("\n")
  console.log(report)
  writeFileSync(join(ROOT, "bench", "results", `fresh-export-${stamp.replace(/[:.]/g, "-")}.md`), `${report}\n`)
})

Effect.runPromise(Effect.scoped(program)).catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
