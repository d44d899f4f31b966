// What instrumentation costs, as ratios against a baseline measured in the same run:
//  1. port calls on memory (save, get, get of a missing id) with the port's spans and metrics on vs off;
//  2. HTTP GET /agents/{id} on memory: everything off; metrics and spans on without export; and
//     with OTLP/HTTP export to a local receiver. Server CPU per request, read from /proc.
// Run: npx tsx bench/observability/instrumentationBench.ts
// The servers run compiled (server.ts bundled by esbuild, as `npm run build` compiles src/), not
// through tsx: tsx's loader hooks and source maps would be measured along with docport.
import { build } from "esbuild"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import { writeFileSync } from "node:fs"
import { createServer } from "node:http"
import * as MemoryDatabase from "../../src/adapters/MemoryDatabase.js"
import { freePort } from "../../test/support/ChildServer.js"
import { runLoad } from "../http/load.js"

const HTTP_ROUNDS = 3

const median = (values: ReadonlyArray<number>) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

const portCpuUsPerCall = (instrument: boolean, rounds: number) =>
  Effect.gen(function*() {
    const db = yield* MemoryDatabase.makeWith({ instrument })
    const perCall: Array<number> = []
    for (let round = 0; round < rounds; round++) {
      const n = 5_000
      const before = process.cpuUsage()
      for (let i = 0; i < n; i++) {
        yield* db.save("bench", `d${i % 500}`, { i, name: "bench" })
        yield* db.get("bench", `d${i % 500}`)
        yield* Effect.either(db.get("bench", "missing"))
      }
      const used = process.cpuUsage(before)
      perCall.push((used.user + used.system) / (n * 3))
    }
    return perCall
  })

const receiver = Effect.acquireRelease(
  Effect.async<{ readonly url: string; readonly close: () => void; readonly spans: () => number }>((resume) => {
    let bytes = 0
    const server = createServer((req, res) => {
      req.on("data", (chunk: Buffer) => (bytes += chunk.length))
      req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end("{}"))
    })
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      resume(Effect.succeed({ url: `http://127.0.0.1:${port}`, close: () => server.close(), spans: () => bytes }))
    })
  }),
  ({ close }) => Effect.sync(close)
)

// Beside node_modules' parent, so that the bundle's bare imports resolve as they do for dist/.
const COMPILED_SERVER = "dist/bench/observability-server.mjs"

const compileServer = Effect.promise(() =>
  build({
    entryPoints: ["bench/observability/server.ts"],
    outfile: COMPILED_SERVER,
    bundle: true,
    packages: "external",
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "warning"
  })
)

const serverVariant = (env: Record<string, string>) =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const port = await Effect.runPromise(freePort)
      const child = spawn(process.execPath, [COMPILED_SERVER], {
        env: { ...process.env, PORT: String(port), ...env },
        stdio: "ignore"
      })
      const base = `http://127.0.0.1:${port}`
      for (let i = 0; i < 600; i++) {
        if (await fetch(`${base}/health`).then((r) => r.ok, () => false)) break
        await new Promise((r) => setTimeout(r, 100))
      }
      const created = await fetch(`${base}/agents`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "bench", description: "an agent to read", code: "print(1)" })
      }).then((r) => r.json() as Promise<{ _id: string }>)
      return { child, base, id: created._id }
    }),
    ({ child }) => Effect.sync(() => child.kill("SIGTERM"))
  )

const httpCpuUsPerRequest = (env: Record<string, string>) =>
  Effect.scoped(Effect.gen(function*() {
    const server = yield* serverVariant(env)
    // Warm up the JIT, then measure.
    yield* runLoad(`${server.base}/agents/${server.id}`, [{ method: "GET" }], { connections: 8, durationS: 2, serverPid: server.child.pid })
    const result = yield* runLoad(`${server.base}/agents/${server.id}`, [{ method: "GET" }], { connections: 8, durationS: 5, serverPid: server.child.pid })
    if (result.errors > 0) return yield* Effect.fail(new Error(`${result.errors} failed requests`))
    return result.cpuUsPerRequest
  }))

const program = Effect.gen(function*() {
  const rounds = 3
  const portOff: Array<number> = []
  const portOn: Array<number> = []
  for (let i = 0; i < rounds; i++) {
    portOff.push(median(yield* portCpuUsPerCall(false, 3)))
    portOn.push(median(yield* portCpuUsPerCall(true, 3)))
  }

  yield* compileServer
  const otlp = yield* receiver
  const variants = {
    off: { BENCH_INSTRUMENT: "off" },
    on: { BENCH_INSTRUMENT: "on" },
    export: { BENCH_INSTRUMENT: "on", OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_SERVICE_NAME: "docport-bench" }
  }
  const http: Record<keyof typeof variants, Array<number>> = { off: [], on: [], export: [] }
  for (let i = 0; i < HTTP_ROUNDS; i++) {
    for (const [name, env] of Object.entries(variants) as Array<[keyof typeof variants, Record<string, string>]>) {
      http[name].push(yield* httpCpuUsPerRequest(env))
    }
  }

  const row = (label: string, value: number, base: number) => `| ${label} | ${value.toFixed(2)} | ${(value / base).toFixed(3)} |`
  const p = { off: median(portOff), on: median(portOn) }
  const h = { off: median(http.off), on: median(http.on), export: median(http.export) }
  const report = [
    `# Instrumentation cost (${new Date().toISOString()})`,
    "",
    `Port calls on memory (save, get, get of a missing id), CPU µs per call, median of ${rounds} interleaved rounds:`,
    "",
    "| variant | CPU µs/call | ratio to off |",
    "| --- | --- | --- |",
    row("spans and metrics off", p.off, p.off),
    row("spans and metrics on", p.on, p.off),
    "",
    `HTTP GET /agents/{id} on memory, server CPU µs per request (8 connections, 5 s, median of ${HTTP_ROUNDS} interleaved rounds; access log lines off in every variant):`,
    "",
    "| variant | CPU µs/request | ratio to off |",
    "| --- | --- | --- |",
    row("no instrumentation (port and request middleware off)", h.off, h.off),
    row("metrics, spans, request ids on; no export", h.on, h.off),
    row("the same, exported over OTLP/HTTP to a local receiver", h.export, h.off),
    "",
    `Export over no export: ${(h.export / h.on).toFixed(3)}. The receiver took ${otlp.spans()} bytes of OTLP JSON.`,
    ""
  ].join("\n")
  console.log(report)
  writeFileSync(`bench/results/instrumentation-${new Date().toISOString().replace(/[:.]/g, "-")}.md`, report)
})

Effect.runPromise(Effect.scoped(program)).catch((error) => {
  console.error(error)
  process.exit(1)
})
