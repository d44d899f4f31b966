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
import { pinningPlan } from "../support/cpu.js"
import { buildDocport, buildDocportAt, ROOT, startBuiltDocport, startDocportBuild } from "../support/processes.js"
import {
  CLIMB_SECONDS,
  DOCPORT,
  DOCPORT_COLD,
  freshRounds,
  freshRoundsTable,
  type FreshStarter,
  freshTable,
  roundRatios
} from "./freshStart.js"

const rounds = Number(process.env.BENCH_ROUNDS ?? 6)
const beforeRev = process.env.BENCH_BEFORE

// Not test/support/OtlpReceiver.ts: that one parses and keeps every span, hundreds of megabytes
// over a run, in this process, which is also the load generator's. This one only answers.
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
  const before = beforeRev === undefined ? undefined : yield* buildDocportAt(beforeRev)
  const pinning = pinningPlan()
  const on = { cpu: pinning?.server }
  const beforeName = `docport at ${beforeRev}`
  const starters: Array<FreshStarter> = [
    [DOCPORT, () => startBuiltDocport({ DATABASE_PROVIDER: "memory", WARMUP: "on" }, on)],
    [DOCPORT_COLD, () => startBuiltDocport({ DATABASE_PROVIDER: "memory", WARMUP: "off" }, on)],
    ...(before === undefined ? [] : [[beforeName, () => startDocportBuild(beforeName, before, on)] as const])
  ]
  const runs = yield* freshRounds(starters, { rounds, seconds: 10, connections: 32, pinning, log: (line) => console.error(line) })
  console.error(`exports received: ${otlp.requests()}`)
  // Each warmed build against the unwarmed process of its round, before and after the climb.
  const shown = (ratios: ReadonlyArray<number | undefined>) => ratios.map((r) => r?.toFixed(2) ?? "–").join(", ")
  const ratios = (target: string) =>
    `${target} / ${DOCPORT_COLD}, round by round: seconds 1 - ${CLIMB_SECONDS} ${shown(roundRatios(runs, target, 0, CLIMB_SECONDS))}; ` +
    `after ${shown(roundRatios(runs, target, CLIMB_SECONDS))}`
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
