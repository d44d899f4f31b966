// docport's whole application against the bare HttpApi (bench/baseline/httpApi.ts), in one
// process and without sockets: each app is built as its server builds it, captured where the
// server would serve it, and run per request as the Node server runs it (HttpApp.toHandled, one
// fiber per request). What is left is what the applications cost, without the kernel, the
// parser or a neighbour's load; the ratio comes from slices of a few thousand requests whose
// order rotates, medians of per-round ratios. CPU profiles of either side show where it goes.
//
// Run it compiled, as the server runs (under tsx every closure made per request also pays for
// tsx's `__name` helper, which makes docport's side look dearer than it is):
//   npx esbuild bench/http/appCostBench.ts --bundle --platform=node --format=esm --packages=external \
//     --outfile=node_modules/.cache/appcost.mjs && node node_modules/.cache/appcost.mjs [get|put|post|list|mix]
// BENCH_ROUNDS (15); BENCH_PROFILE=dir writes a .cpuprofile of each side; BENCH_OPS=n counts Effect
// instructions instead of timing. Parts left out: LOG_LEVEL=warn (access lines), BENCH_OBSERVE=off
// (request ids, access lines, HTTP metrics), BENCH_INSTRUMENT=off (the port's metrics and spans).
// BENCH_RUNTIME=a,b measures the runtime's own settings instead (bench/http/runtimeSettings.ts).
// BENCH_ONLY=docport|httpapi|secured builds one application alone and only runs requests through it, for
// instructionBench.ts to count; BENCH_TRAIN=n first sends it n rounds of the other agent routes.
// Requests run one at a time, so access lines leave one batch per request, which the real server
// (many requests a turn of the event loop) does not pay: the servers in `npm run bench` are the judge.
// First, so that under callgrind its clock and ids are in place before any module reads them.
import { countedWindow } from "../support/countedWindow.js"
import * as HttpApp from "@effect/platform/HttpApp"
import type * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { Effect, Layer, Runtime, Scope, Stream } from "effect"
import { Session } from "node:inspector/promises"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { layerFromConfig } from "../../src/adapters/DatabaseLayer.js"
import * as MemoryDatabase from "../../src/adapters/MemoryDatabase.js"
import { makeHttpLive } from "../../src/app/HttpLive.js"
import { setLogWriter } from "../../src/app/observability/LogSink.js"
import { ObservabilityLive } from "../../src/app/observability/ObservabilityLive.js"
import { DatabaseService } from "../../src/ports/DatabaseService.js"
import { BareHttpApiLive, SecuredHttpApiLive } from "../baseline/httpApi.js"
import { agentBody } from "./scenarioRequests.js"
import { median } from "../support/stats.js"
import { runtimeSetting } from "./runtimeSettings.js"

interface Served {
  readonly app: HttpApp.Default<unknown>
  readonly middleware: HttpMiddleware.HttpMiddleware | undefined
  readonly runtime: Runtime.Runtime<never>
}

/** An HttpServer that serves nothing: it keeps the app it is given, with the runtime it has then. */
const capturing = (slot: Array<Served>) =>
  Layer.succeed(
    HttpServer.HttpServer,
    HttpServer.make({
      serve: (app, middleware) => Effect.map(Effect.runtime<never>(), (runtime) => void slot.push({ app, middleware, runtime })),
      address: { _tag: "TcpAddress", hostname: "127.0.0.1", port: 8000 }
    })
  )

// The server's response handling, minus the socket: a streamed body is run to its end.
const handleResponse = (_request: HttpServerRequest.HttpServerRequest, response: HttpServerResponse.HttpServerResponse) =>
  response.body._tag === "Stream" ? Stream.runDrain(response.body.stream) : Effect.void

type ServerServices = HttpServer.HttpServer | Layer.Layer.Success<typeof NodeHttpServer.layerContext>

// Built under ObservabilityLive, as main.ts builds the server: its runtime carries the logger.
const build = async (layer: Layer.Layer<never, unknown, ServerServices>): Promise<Served> => {
  const slot: Array<Served> = []
  const scope = Effect.runSync(Scope.make())
  const built = Layer.buildWithScope(Layer.provide(layer, Layer.merge(capturing(slot), NodeHttpServer.layerContext)), scope)
  await Effect.runPromise(Effect.provide(built, ObservabilityLive) as Effect.Effect<unknown, unknown>)
  return slot[0]!
}

process.env.DATABASE_PROVIDER = "memory"
process.env.WARMUP = "off"
// Access lines are formatted and batched as in production, then dropped instead of written.
setLogWriter(() => {})

type Side = "docport" | "httpapi" | "secured"
// BENCH_ONLY=side builds, seeds and runs that application alone, as its own server process would
// (the instruction counts of instructionBench.ts): BENCH_WARM requests, then BENCH_COUNT more.
const only = process.env.BENCH_ONLY as Side | undefined
const sides: ReadonlyArray<Side> = only === undefined ? ["docport", "httpapi"] : [only]

const builders: Record<Side, () => Promise<Served>> = {
  // The parts the header names can be left out, to measure what each costs.
  docport: () =>
    build(
      makeHttpLive(
        process.env.BENCH_INSTRUMENT === "off" ? Layer.effect(DatabaseService, MemoryDatabase.makeWith({ instrument: false })) : layerFromConfig,
        Layer.empty as Layer.Layer<ServerServices>,
        { observeRequests: process.env.BENCH_OBSERVE !== "off" }
      )
    ),
  httpapi: () => build(BareHttpApiLive),
  // BENCH_ONLY only: the bare HttpApi with docport's sign-in middleware declared (baseline/httpApi.ts).
  secured: () => build(SecuredHttpApiLive)
}
const served = {} as Record<Side, Served>
for (const name of sides) served[name] = await builders[name]()

interface Call {
  readonly method: string
  readonly path: string
  readonly body?: string | undefined
}

/** Runs requests through one side's app as the Node server does; `last` is the latest answer. */
const runner = (side: Served, runtime: Runtime.Runtime<never> = side.runtime) => {
  let last: HttpServerResponse.HttpServerResponse | undefined
  const handled = HttpApp.toHandled(side.app, (request, response) => {
    last = response
    return handleResponse(request, response)
  }, side.middleware)
  const runFork = Runtime.runFork(runtime)
  const run = (call: Call) => {
    const init: RequestInit = call.body === undefined
      ? { method: call.method, headers: { host: "127.0.0.1:8000" } }
      : { method: call.method, body: call.body, headers: { host: "127.0.0.1:8000", "content-type": "application/json" } }
    const request = HttpServerRequest.fromWeb(new Request(`http://127.0.0.1:8000${call.path}`, init))
    const fiber = runFork(Effect.provideService(handled, HttpServerRequest.HttpServerRequest, request))
    return new Promise<HttpServerResponse.HttpServerResponse>((resolve, reject) =>
      fiber.addObserver(() => last === undefined ? reject(new Error(`${call.method} ${call.path}: no answer`)) : resolve(last))
    )
  }
  return run
}

// docport answers JSON as a raw string (src/app/http/JsonText.ts), the HttpApi as bytes.
const textOf = (response: HttpServerResponse.HttpServerResponse) =>
  response.body._tag === "Uint8Array"
    ? new TextDecoder().decode(response.body.body)
    : response.body._tag === "Raw" && typeof response.body.body === "string"
    ? response.body.body
    : ""

const scenario = process.argv[2] ?? "get"
const runs = Object.fromEntries(sides.map((name) => [name, runner(served[name])])) as Record<Side, ReturnType<typeof runner>>
const calls: Record<string, Array<Call>> = { docport: [], httpapi: [] }
const seeded: Record<string, Array<string>> = {}
for (const name of sides) {
  const ids: Array<string> = []
  seeded[name] = ids
  for (let i = 0; i < (scenario === "list" ? 100 : 200); i++) {
    const answer = await runs[name]({ method: "POST", path: "/agents", body: JSON.stringify(agentBody(i)) })
    if (answer.status !== 201) throw new Error(`${name}: seeding answered ${answer.status} ${textOf(answer)}`)
    ids.push(JSON.parse(textOf(answer))._id)
  }
  calls[name] = ids.map((id, i): Call => {
    switch (scenario) {
      case "get": return { method: "GET", path: `/agents/${id}` }
      case "put": return { method: "PUT", path: `/agents/${id}`, body: JSON.stringify({ ...agentBody(i), description: "changed" }) }
      case "post": return { method: "POST", path: "/agents", body: JSON.stringify(agentBody(i)) }
      case "list": return { method: "GET", path: "/agents" }
      // As the server bench's 80/20: four reads for each write, the reads finding written agents.
      case "mix": return i % 5 === 4
        ? { method: "PUT", path: `/agents/${id}`, body: JSON.stringify({ description: `changed ${i}` }) }
        : { method: "GET", path: `/agents/${ids[i - (i % 5) + 4] ?? id}` }
      default: throw new Error(`unknown scenario ${scenario}: get, put, post, list or mix`)
    }
  })
}

const slice = async (name: Side, n: number, run = runs[name]) => {
  const list = calls[name]!
  const started = process.cpuUsage()
  for (let i = 0; i < n; i++) {
    const answer = await run(list[i % list.length]!)
    if (answer.status >= 300) throw new Error(`${name}: answered ${answer.status} ${textOf(answer)}`)
  }
  const used = process.cpuUsage(started)
  return (used.user + used.system) / n
}

const N = scenario === "list" ? 500 : 3_000
// BENCH_TRAIN=n: before the scenario's warm-up, n rounds of the other agent routes (list, write,
// create, a 404), as a process that has served mixed traffic has seen them.
const train = async (name: Side, rounds: number) => {
  const ids = seeded[name]!
  for (let i = 0; i < rounds; i++) {
    const id = ids[i % ids.length]!
    for (const call of [
      { method: "GET", path: "/agents" },
      { method: "PUT", path: `/agents/${id}`, body: JSON.stringify({ ...agentBody(i), description: `trained ${i}` }) },
      { method: "POST", path: "/agents", body: JSON.stringify(agentBody(i)) },
      { method: "GET", path: `/agents/${id}` },
      { method: "GET", path: "/agents/00000000-0000-4000-8000-000000000000" }
    ] satisfies Array<Call>) await runs[name](call)
  }
}
if (only !== undefined) {
  await train(only, Number(process.env.BENCH_TRAIN ?? 0))
  await slice(only, Number(process.env.BENCH_WARM ?? N * 4))
  await countedWindow(() => slice(only, Number(process.env.BENCH_COUNT ?? 0)))
  process.exit(0)
}
for (const name of ["docport", "httpapi"] as const) await slice(name, N * 4)

const profileDir = process.env.BENCH_PROFILE
if (profileDir !== undefined) {
  const session = new Session()
  session.connect()
  await session.post("Profiler.enable")
  await session.post("Profiler.setSamplingInterval", { interval: 50 })
  for (const name of ["docport", "httpapi"] as const) {
    await session.post("Profiler.start")
    await slice(name, N * 4)
    const { profile } = await session.post("Profiler.stop")
    writeFileSync(join(profileDir, `${name}-${scenario}.cpuprofile`), JSON.stringify(profile))
  }
}

// BENCH_OPS=n: instead of timing, count the Effect instructions each side's requests run, by
// kind and by the function they run (its first line of source), and print the n that docport runs
// most often per request beyond what the bare HttpApi runs.
const opsTop = Number(process.env.BENCH_OPS ?? 0)
if (opsTop > 0) {
  const proto = Object.getPrototypeOf(Runtime.runFork(served.docport.runtime)(Effect.void))
  let counts = new Map<string, number>()
  const label = (kind: string, f: unknown, op: any) =>
    typeof f === "function"
      ? `${kind} ${f.toString().replace(/\s+/g, " ").slice(0, 90)}`
      : kind === "Commit" || kind === "Tag" ? `${kind} ${op?._tag ?? op?.key ?? op?.constructor?.name}` : kind
  const count = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1)
  const wrap = (kind: string, which: string) => {
    const original = proto[kind]
    proto[kind] = function(this: unknown, op: any) {
      count(label(kind, op?.[which], op))
      return original.call(this, op)
    }
  }
  for (const kind of ["Sync", "WithRuntime"]) wrap(kind, "effect_instruction_i0")
  for (const kind of ["OnSuccess", "OnFailure", "OnSuccessAndFailure"]) wrap(kind, "effect_instruction_i1")
  for (const kind of ["Success", "Failure", "Async", "Iterator", "Commit", "Tag", "Left", "Right", "Some", "None", "Yield", "While", "UpdateRuntimeFlags"]) wrap(kind, "")
  const perSide: Record<string, Map<string, number>> = {}
  const n = 2_000
  for (const name of ["docport", "httpapi"] as const) {
    counts = new Map()
    await slice(name, n)
    perSide[name] = counts
  }
  const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0) / n
  console.log(`${scenario}: Effect instructions per request: docport ${total(perSide.docport!).toFixed(1)}, httpapi ${total(perSide.httpapi!).toFixed(1)}`)
  const extra = [...perSide.docport!].map(([k, v]) => [k, (v - (perSide.httpapi!.get(k) ?? 0)) / n] as const).sort((a, b) => b[1] - a[1])
  for (const [k, v] of extra.slice(0, opsTop)) console.log(`${v.toFixed(2).padStart(7)}  ${k}`)
  process.exit(0)
}

// BENCH_RUNTIME=a,b: instead of docport against the bare HttpApi, each of the runtime's own
// settings (runtimeSettings.ts) against Effect's defaults, on both applications: every request
// fiber starts in the runtime the server captured, so a setting there is a setting of the server.
const settingNames = process.env.BENCH_RUNTIME?.split(",").filter((name) => name !== "")
if (settingNames !== undefined && settingNames.length > 0) {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 15)
  console.log(`${scenario}: CPU with each setting / with Effect's defaults, medians of ${rounds} rounds of rotating slices`)
  for (const setting of settingNames) {
    const apply = runtimeSetting(setting)
    // Per app, its defaults then the setting: docport's two, then the bare HttpApi's.
    const variants = (["docport", "httpapi"] as const).flatMap((name) => [
      { name, run: runs[name] },
      { name, run: runner(served[name], apply(served[name].runtime)) }
    ])
    for (const v of variants) await slice(v.name, N, v.run)
    const ratios: Record<string, Array<number>> = { docport: [], httpapi: [], over: [] }
    for (let round = 0; round < rounds; round++) {
      const got = new Map<(typeof variants)[number], number>()
      for (let k = 0; k < variants.length; k++) {
        const v = variants[(k + round) % variants.length]!
        got.set(v, await slice(v.name, N, v.run))
      }
      const [dDefault, dSet, hDefault, hSet] = variants.map((v) => got.get(v)!) as [number, number, number, number]
      ratios.docport!.push(dSet / dDefault)
      ratios.httpapi!.push(hSet / hDefault)
      ratios.over!.push(dSet / hSet)
    }
    console.log(
      `  ${setting.padEnd(20)} docport ${median(ratios.docport!).toFixed(3)}, bare HttpApi ${median(ratios.httpapi!).toFixed(3)}; ` +
        `docport / HttpApi with it ${median(ratios.over!).toFixed(2)}`
    )
  }
  process.exit(0)
}

const perRequest: Record<string, Array<number>> = { docport: [], httpapi: [] }
const ratios: Array<number> = []
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15)
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? (["docport", "httpapi"] as const) : (["httpapi", "docport"] as const)
  const got: Record<string, number> = {}
  for (const name of order) perRequest[name]!.push(got[name] = await slice(name, N))
  ratios.push(got.docport! / got.httpapi!)
}
console.log(`${scenario}: docport ${median(perRequest.docport!).toFixed(1)} µs, httpapi ${median(perRequest.httpapi!).toFixed(1)} µs, ratio ${median(ratios).toFixed(2)}`)
process.exit(0)
