// What a start-up setting changes in docport's CPU per request: docport as `npm start` runs it
// against the same build started with BENCH_FLAGS (node or V8 flags) added after npm start's own
// (V8 takes a flag's last value, so `--allocation-site-pretenuring` puts V8's default back) and
// BENCH_ENV (environment variables, such as LOG_LEVEL=warn, which leaves the access lines out)
// set. Both servers run on one CPU and are loaded together in slices (load.ts, runTogether), as the
// HTTP section compares docport with its baselines; the ratio is the median of the slices' ratios.
// Each scenario runs twice, the changed server started second and then first: which one started
// first moved the GET ratio by 1 – 3 % in checks of the same pair of builds, so the figure judged
// is the geometric mean of the two orders, in which a bias of the order cancels. Memory backend,
// each process warmed up as `npm start` does (BENCH_WARMUP=off leaves that out of both), 16
// connections each.
// BENCH_SERVER=httpapi puts the bare HttpApi of the HTTP section (bench/baseline/httpApiServer.ts)
// in both places instead of docport, BENCH_ENV given to the changed one (BASELINE_WARMUP=on: what
// training it as docport's warm-up trains docport costs it).
// BENCH_BUILD=REV puts docport built at that commit (any commit object: a branch of an
// experiment too) in the changed server's place, with the settings given, against this build.
// Run: npx tsx bench/http/settingsBench.ts (BENCH_FLAGS="--allocation-site-pretenuring" when
// none of the three is given, BENCH_ENV="LOG_LEVEL=warn WARMUP=off", BENCH_SCENARIOS=get,put,mix,list,
// BENCH_SLICES=12 of 3 s). The table also goes to bench/results/settings-<date>.md.
import { Effect } from "effect"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { loadGeneratorPinned, pinningPlan } from "../support/cpu.js"
import { buildDocport, buildDocportAt, type DocportBuild, ROOT, START_FLAGS, startBuiltDocport, startDocportBuild, startHttpApiBaseline } from "../support/processes.js"
import { median } from "../support/stats.js"
import { runLoad, runTogether } from "./load.js"
import { newAgents, SCENARIOS, seedAgents } from "./scenarios.js"

const words = (text: string | undefined) => (text ?? "").split(/\s+/).filter((word) => word !== "")
const settingEnv: Record<string, string> = Object.fromEntries(words(process.env.BENCH_ENV).map((pair) => {
  const at = pair.indexOf("=")
  if (at <= 0) throw new Error(`BENCH_ENV: expected NAME=value pairs, not ${pair}`)
  return [pair.slice(0, at), pair.slice(at + 1)]
}))
const otherRev = process.env.BENCH_BUILD
const flags = process.env.BENCH_FLAGS === undefined && process.env.BENCH_ENV === undefined && otherRev === undefined
  ? ["--allocation-site-pretenuring"]
  : words(process.env.BENCH_FLAGS)
const setting = [
  ...(otherRev === undefined ? [] : [`the build of ${otherRev}`]),
  ...flags,
  ...Object.entries(settingEnv).map(([name, value]) => `${name}=${value}`)
].join(" ")
const scenarios = (process.env.BENCH_SCENARIOS ?? "get,put,mix,list").split(",").map((id) => {
  const scenario = SCENARIOS.find((s) => s.id === id)
  if (scenario === undefined) throw new Error(`no scenario ${id}; there are ${SCENARIOS.map((s) => s.id).join(", ")}`)
  return scenario
})
const slices = Number(process.env.BENCH_SLICES ?? 12)
const SLICE_S = 3
const CONNECTIONS = 16
const warmup = process.env.BENCH_WARMUP ?? "on"
// BENCH_SERVER=httpapi: the bare HttpApi (bench/baseline) in both places instead of docport.
const httpApi = process.env.BENCH_SERVER === "httpapi"

const compare = (scenario: (typeof scenarios)[number], changedFirst: boolean, other: DocportBuild | undefined) =>
  Effect.scoped(Effect.gen(function*() {
    const plan = pinningPlan()
    yield* loadGeneratorPinned(plan)
    const env: Record<string, string> = { DATABASE_PROVIDER: "memory", ...(warmup === "off" ? { WARMUP: "off" } : {}) }
    const asIsServer = () => httpApi ? startHttpApiBaseline({ cpu: plan?.server }) : startBuiltDocport(env, { cpu: plan?.server })
    const changedServer = () =>
      httpApi
        ? startHttpApiBaseline({ cpu: plan?.server, nodeFlags: flags }, settingEnv)
        : other === undefined
        ? startBuiltDocport({ ...env, ...settingEnv }, { cpu: plan?.server, nodeFlags: flags })
        : startDocportBuild("changed", other, { cpu: plan?.server, nodeFlags: flags }, { ...env, ...settingEnv })
    // In the order [as is, changed] whichever started first.
    const servers = changedFirst
      ? [yield* changedServer(), yield* asIsServer()].reverse()
      : [yield* asIsServer(), yield* changedServer()]
    const targets = []
    for (const server of servers) {
      const agents = newAgents()
      yield* seedAgents(server.url, agents, scenario.agents)
      // Each alone first, until its hot paths are compiled.
      yield* runLoad(server.url, { scenario: scenario.id, agents }, { connections: CONNECTIONS, durationS: 5 })
      targets.push({ url: server.url, load: { scenario: scenario.id, agents }, serverPid: server.pid })
    }
    const [asIs, changed] = yield* runTogether(targets, { connections: CONNECTIONS, durationS: slices * SLICE_S, sliceS: SLICE_S })
    const ratios = changed!.turnCpuUsPerRequest.map((us, i) => us / asIs!.turnCpuUsPerRequest[i]!)
    return { scenario, asIs: asIs!, changed: changed!, ratio: median(ratios), low: Math.min(...ratios), high: Math.max(...ratios) }
  }))

const program = Effect.gen(function*() {
  yield* buildDocport
  const other = otherRev === undefined ? undefined : yield* buildDocportAt(otherRev)
  const rows = []
  for (const scenario of scenarios) {
    const [second, first] = [yield* compare(scenario, false, other), yield* compare(scenario, true, other)]
    const both = Math.sqrt(second.ratio * first.ratio)
    console.error(`${scenario.label}: with ${setting} / as npm start runs it ${both.toFixed(3)} (started second ${second.ratio.toFixed(3)}, first ${first.ratio.toFixed(3)})`)
    const cell = (r: typeof second) => `${r.ratio.toFixed(3)} (${r.low.toFixed(2)} - ${r.high.toFixed(2)})`
    rows.push(
      `| ${scenario.label} | ${Math.round(second.asIs.cpuUsPerRequest)} | ${Math.round(second.changed.cpuUsPerRequest)} | ${cell(second)} | ${cell(first)} | **${both.toFixed(3)}** | ${second.asIs.errors + second.changed.errors + first.asIs.errors + first.changed.errors} |`
    )
  }
  const lines = [
    `${httpApi ? "the bare HttpApi (bench/baseline/httpApiServer.ts) as the HTTP section runs it" : "docport as \`npm start\` runs it"} (node ${START_FLAGS.join(" ")}) against ${otherRev === undefined ? "the same build with " : ""}\`${setting}\`; ` +
    `memory, warm-up ${warmup} (in the changed server too, unless the setting is WARMUP), ${CONNECTIONS} connections each, loaded together on one CPU in ${slices} slices of ${SLICE_S} s; ${new Date().toISOString()}`,
    "",
    `| scenario | CPU µs/req as npm start runs it (${setting} started second) | CPU µs/req with ${setting} (started second) | with / without, ${setting} started second: median (slices) | ${setting} started first | both orders (geometric mean) | errors |`,
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...rows
  ]
  console.log(lines.join("\n"))
  writeFileSync(join(ROOT, "bench", "results", `settings-${new Date().toISOString().replace(/[:.]/g, "-")}.md`), `${lines.join("\n")}\n`)
})

Effect.runPromise(program).then(() => process.exit(0), (error) => {
  console.error(error)
  process.exit(1)
})
