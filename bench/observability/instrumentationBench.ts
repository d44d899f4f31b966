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
import { loadavg } from "node:os"
import * as MemoryDatabase from "../../src/adapters/MemoryDatabase.js"
import { freePort } from "../../test/support/ChildServer.js"
import { runLoad } from "../http/load.js"

// Rounds of slices; each ratio is taken within a round, then the median of those ratios is
// reported, which the shared machine's drifting load skews least.
const HTTP_ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20)

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

// Every variant's server is started fresh and kept up; the load then goes to one server at a
// time, in short slices whose order rotates every round. Loading the variants at once was
// tried: on 2 cores their clients and servers starve each other and the figures measure the
// contention. Sequential runs of a fresh server each were tried too: a neighbour's work that
// comes and goes over minutes lands on whichever variant runs then. Short rotating slices give
// every variant the same share of the machine's drift.
const SLICE_S = Number(process.env.BENCH_SLICE_S ?? 2)
// A server's JIT is still settling after 3 s under this load: the first rounds measured a
// variant up to twice its later cost.
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 10)

const loadSlice = (server: { readonly base: string; readonly id: string; readonly child: { readonly pid?: number | undefined } }, durationS: number) =>
  Effect.flatMap(
    runLoad(`${server.base}/agents/${server.id}`, { requests: [{ method: "GET" }] }, { connections: 8, durationS, serverPid: server.child.pid }),
    (result) => result.errors > 0 ? Effect.fail(new Error(`${result.errors} failed requests`)) : Effect.succeed(result.cpuUsPerRequest)
  )

interface Variant {
  readonly label: string
  readonly env: Record<string, string>
}

const program = Effect.gen(function*() {
  // BENCH_SET=settings: the Effect runtime's own settings, each against the instrumented server.
  const settings = process.env.BENCH_SET === "settings"
  const rounds = 3
  const portOff: Array<number> = []
  const portOn: Array<number> = []
  for (let i = 0; i < (settings ? 0 : rounds); i++) {
    portOff.push(median(yield* portCpuUsPerCall(false, 3)))
    portOn.push(median(yield* portCpuUsPerCall(true, 3)))
  }

  yield* compileServer
  const otlp = yield* receiver
  // The first variant is the one the others are divided by.
  const variants: Record<string, Variant> = settings
    ? {
      on: { label: "Effect's defaults (access log lines off)", env: { BENCH_INSTRUMENT: "on" } },
      timing: { label: "tracer timing off (no clock readings for spans)", env: { BENCH_INSTRUMENT: "on", BENCH_TRACER_TIMING: "off" } },
      nospan: { label: "no request span (the platform's tracer middleware disabled)", env: { BENCH_INSTRUMENT: "on", BENCH_HTTP_SPAN: "off" } },
      ops256: { label: "256 ops before a fiber yields (default 2048)", env: { BENCH_INSTRUMENT: "on", BENCH_MAX_OPS: "256" } },
      ops16k: { label: "16,384 ops before a fiber yields", env: { BENCH_INSTRUMENT: "on", BENCH_MAX_OPS: "16384" } },
      log: {
        label: "access log lines on (LOG_LEVEL=info, logfmt to a discarded stdout)",
        env: { BENCH_INSTRUMENT: "on", BENCH_ACCESS_LOG: "on", LOG_LEVEL: "info" }
      }
    }
    : {
      off: { label: "no instrumentation (port and request middleware off)", env: { BENCH_INSTRUMENT: "off" } },
      port: { label: "the port's metrics and spans only", env: { BENCH_INSTRUMENT: "on", BENCH_OBSERVE: "off" } },
      on: { label: "metrics, spans, request ids on; no export", env: { BENCH_INSTRUMENT: "on" } },
      export: {
        label: "the same, exported over OTLP/HTTP to a local receiver",
        env: { BENCH_INSTRUMENT: "on", OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_SERVICE_NAME: "docport-bench" }
      }
    }
  const names = process.env.BENCH_ONLY?.split(",") ?? Object.keys(variants)
  const http: Record<string, Array<number>> = Object.fromEntries(Object.keys(variants).map((name) => [name, []]))
  const servers = new Map<string, Effect.Effect.Success<ReturnType<typeof serverVariant>>>()
  for (const name of names) servers.set(name, yield* serverVariant(variants[name]!.env))
  // Warm up the JIT of every server, then measure.
  for (const name of names) yield* loadSlice(servers.get(name)!, WARMUP_S)
  for (let i = 0; i < HTTP_ROUNDS; i++) {
    const order = names.map((_, k) => names[(k + i) % names.length]!)
    for (const name of order) http[name]!.push(yield* loadSlice(servers.get(name)!, SLICE_S))
  }

  const ratio = (values: ReadonlyArray<number>, bases: ReadonlyArray<number>) => median(values.map((v, i) => v / bases[i]!))
  const row = (label: string, values: ReadonlyArray<number>, bases: ReadonlyArray<number>) => values.length === 0 ? `| ${label} | not measured | |` :
    `| ${label} | ${median(values).toFixed(2)} | ${ratio(values, bases).toFixed(3)} |`
  const base = Object.keys(variants)[0]!
  const httpRows = Object.entries(variants).map(([name, { label }]) => row(label, http[name]!, http[base]!))
  const stamp = new Date().toISOString()
  const load = loadavg().map((l) => l.toFixed(1)).join(" ")
  if (settings) {
    const report = [
      `# The Effect runtime's settings (${stamp})`,
      "",
      `HTTP GET /agents/{id} on memory, instrumented server (metrics and port spans on, no export), server CPU µs per request; servers, warm-up, slices and rounds as in the instrumentation bench (${WARMUP_S} s, ${SLICE_S} s, ${HTTP_ROUNDS} rounds); machine load ${load} at the end:`,
      "",
      "| setting | CPU µs/request | ratio to the defaults |",
      "| --- | --- | --- |",
      ...httpRows,
      ""
    ].join("\n")
    console.log(report)
    writeFileSync(`bench/results/runtime-settings-${stamp.replace(/[:.]/g, "-")}.md`, report)
    return
  }
  const h = { on: median(http.on!), export: median(http.export!) ?? NaN }
  const report = [
    `# Instrumentation cost (${stamp})`,
    "",
    `Port calls on memory (save, get, get of a missing id), CPU µs per call, median of ${rounds} interleaved rounds (ratio: median of the per-round ratios):`,
    "",
    "| variant | CPU µs/call | ratio to off |",
    "| --- | --- | --- |",
    row("spans and metrics off", portOff, portOff),
    row("spans and metrics on", portOn, portOff),
    "",
    `HTTP GET /agents/{id} on memory, server CPU µs per request (8 connections; a fresh server per variant, all started at once and warmed for ${WARMUP_S} s, then loaded one at a time in slices of ${SLICE_S} s whose order rotates each round; median of ${HTTP_ROUNDS} rounds, ratio the median of per-round ratios; machine load ${load} at the end; access log lines off in every variant):`,
    "",
    "| variant | CPU µs/request | ratio to off |",
    "| --- | --- | --- |",
    ...httpRows,
    "",
    `Export over no export: ${(h.export / h.on).toFixed(3)}. The receiver took ${otlp.spans()} bytes of OTLP JSON.`,
    ""
  ].join("\n")
  console.log(report)
  if (process.env.BENCH_RAW !== undefined) console.log(JSON.stringify(http))
  writeFileSync(`bench/results/instrumentation-${stamp.replace(/[:.]/g, "-")}.md`, report)
})

Effect.runPromise(Effect.scoped(program)).catch((error) => {
  console.error(error)
  process.exit(1)
})
