// Instructions per request of whole servers under load, counted by valgrind: docport as `npm start`
// runs it (dist/, on memory, with its access lines, request ids and metrics) and the bare HttpApi
// of bench/baseline, each in its own process behind real sockets. instructionBench.ts counts the
// applications in process, without sockets, logs leaving the process or HTTP parsing; this counts
// what the timed bench's servers run.
//
// Each server starts under valgrind with its instrumentation off. This driver seeds 100 agents
// through the server's API, sends BENCH_WARM (20,000) GETs of them over 32 keep-alive
// connections, switches the instrumentation on (callgrind_control -i), sends BENCH_COUNT (2,000)
// more, switches it off and stops the server. The window holds every request whole: none is in
// flight when it opens or closes. The clocks and ids are the server's real ones (not made
// repeatable as countedWindow.ts makes them in process).
//
// docport warms up as `npm start` does, for WARMUP (default here 60 s, since valgrind slows the
// warm-up some fifty-fold: 60 s under it serve about what 2 s serve without); `docport-unwarmed`
// is the same build with WARMUP=off.
//
// Run: npx tsx bench/http/serverInstructionBench.ts (BENCH_SIDES=docport,docport-unwarmed,httpapi,secured;
// CALLGRIND_OUT=dir keeps the profiles for bench/support/callgrindFunctions.ts; BENCH_SIMULATE=on
// adds valgrind's cache and branch-predictor model, and a table of its misses per request)
import { Effect } from "effect"
import { freePort, startChildServer, stopChildServer } from "../../test/support/ChildServer.js"
import { countRuns, eventsIn, perUnit, switchInstrumentation, valgrindArgs, writeReport } from "../support/callgrind.js"
import { buildDocport, bundledServer, CURRENT_BUILD, ROOT } from "../support/processes.js"
import { newAgents, seedAgents } from "./scenarios.js"

const warm = Number(process.env.BENCH_WARM ?? 20_000)
const count = Number(process.env.BENCH_COUNT ?? 2_000)
const sides = (process.env.BENCH_SIDES ?? "docport,httpapi").split(",")
const simulate = process.env.BENCH_SIMULATE === "on"
const CONNECTIONS = 32

// Built as the timed bench builds them: docport by `npm run build`, the baselines bundled once.
// Built once, however many sides run it.
let built = false
const docport = () => {
  if (!built) Effect.runSync(buildDocport)
  built = true
  return CURRENT_BUILD.main
}
const SERVERS: Record<string, { readonly script: () => string; readonly env: Record<string, string> }> = {
  docport: { script: docport, env: { DATABASE_PROVIDER: "memory", WARMUP: process.env.WARMUP ?? "60" } },
  "docport-unwarmed": { script: docport, env: { DATABASE_PROVIDER: "memory", WARMUP: "off" } },
  httpapi: { script: () => bundledServer("bench/baseline/httpApiServer.ts"), env: {} },
  secured: { script: () => bundledServer("bench/baseline/httpApiServer.ts"), env: { BASELINE_SIGN_IN: "on" } }
}

/** `n` GETs of the seeded agents, CONNECTIONS at a time, each answered 200 and read to its end. */
const gets = async (base: string, ids: ReadonlyArray<string>, n: number) => {
  let next = 0
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    while (next < n) {
      const id = ids[next++ % ids.length]
      const reply = await fetch(`${base}/agents/${id}`)
      await reply.arrayBuffer()
      if (reply.status !== 200) throw new Error(`GET /agents/${id} answered ${reply.status}`)
    }
  }))
}

// Under valgrind docport's start-up (its warm-up included) takes minutes, not seconds.
const START_TIMEOUT_MS = 10 * 60_000

const events = new Map<string, ReadonlyMap<string, number>>()

const countServer = (side: string, script: string, env: Record<string, string>) =>
  Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    const port = yield* freePort
    const serverEnv = { ...env, PORT: String(port), HOST: "127.0.0.1", NODE_ENV: "production" }
    const server = yield* startChildServer({
      name: "valgrind",
      command: "valgrind",
      args: valgrindArgs(script, [], simulate),
      cwd: ROOT,
      env: serverEnv,
      ready: (output) => output.includes("Listening on"),
      startTimeoutMs: START_TIMEOUT_MS
    })
    // valgrind prints its summary as the process ends: wait for its output to close, not just its exit.
    const closed = new Promise<void>((resolve) => server.process.once("close", () => resolve()))
    const base = `http://127.0.0.1:${port}`
    const agents = newAgents()
    yield* seedAgents(base, agents, 100)
    const pid = server.process.pid!
    yield* Effect.promise(async () => {
      await gets(base, agents.ids, warm)
      await switchInstrumentation(pid, "on", { ...process.env, ...serverEnv })
      await gets(base, agents.ids, count)
      await switchInstrumentation(pid, "off", { ...process.env, ...serverEnv })
    })
    yield* stopChildServer(server)
    yield* Effect.promise(() => closed)
    const collected = eventsIn(server.output())
    const instructions = collected.get("Ir")
    if (instructions === undefined) return yield* Effect.fail(new Error(`no count:\n${server.output().slice(-4000)}`))
    events.set(side, collected)
    return instructions
  })))

const results = await countRuns(sides.map((side) => {
  const server = SERVERS[side]
  if (server === undefined) throw new Error(`unknown side ${side}: ${Object.keys(SERVERS).join(", ")}`)
  const script = server.script()
  return { key: `get ${side}`, run: () => countServer(side, script, server.env) }
}))

const lines = [
  `instructions per request (thousands), whole servers behind sockets, ${count} counted after ${warm} uncounted`,
  "",
  `| scenario | ${sides.join(" | ")} | ${sides.slice(1).map((side) => `${sides[0]} / ${side}`).join(" | ")} |`,
  `| --- | ${sides.map(() => "---").join(" | ")} | ${sides.slice(1).map(() => "---").join(" | ")} |`,
  `| get | ${sides.map((side) => perUnit(results, `get ${side}`, count).toFixed(1)).join(" | ")} | ${
    sides.slice(1).map((side) => (perUnit(results, `get ${sides[0]}`, count) / perUnit(results, `get ${side}`, count)).toFixed(3)).join(" | ")
  } |`
]
// valgrind's model, not this CPU: a difference in it points somewhere, its absence proves little.
const MODELLED = ["Ir", "I1mr", "ILmr", "D1mr", "D1mw", "DLmr", "DLmw", "Bc", "Bcm", "Bi", "Bim"]
const perRequest = (side: string, event: string) => (events.get(side)?.get(event) ?? Number.NaN) / count
const modelled = simulate
  ? [
    "",
    `valgrind's cache and branch model (--cache-sim, --branch-sim) per GET: Ir instructions; I1mr, D1mr, D1mw first-level misses (instruction, data read, data write); ILmr, DLmr, DLmw the same at the last level; Bc, Bi conditional and indirect branches, Bcm, Bim their mispredictions`,
    "",
    `| event | ${sides.join(" | ")} | ${sides.slice(1).map((side) => `${sides[0]} / ${side}`).join(" | ")} |`,
    `| --- | ${sides.map(() => "---").join(" | ")} | ${sides.slice(1).map(() => "---").join(" | ")} |`,
    ...MODELLED.map((event) =>
      `| ${event} | ${sides.map((side) => perRequest(side, event).toFixed(1)).join(" | ")} | ${
        sides.slice(1).map((side) => (perRequest(sides[0]!, event) / perRequest(side, event)).toFixed(3)).join(" | ")
      } |`
    )
  ]
  : []

writeReport("instructions-server", [...lines, ...modelled], results)
