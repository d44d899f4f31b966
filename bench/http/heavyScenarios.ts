/**
 * The real client's heavy calls: GET /agents of 500 and of 2,000 agents of realistic size, GET
 * /deployments joining 200 deployments to their agents, and the unpaged data-store list of 10,000
 * records. docport (this build) and docport as it was before a given commit (built from git into
 * bench/.before/) run side by side on memory, each scenario on a fresh pair of processes, the order
 * alternating. Memory: the server's peak RSS during the load above its RSS just before it, per
 * concurrent request; it should stay flat from 500 to 2,000 agents when a request holds a page.
 */
import type { Request } from "autocannon"
import { Effect, type Scope } from "effect"
import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { freePort, startChildServer } from "../../test/support/ChildServer.js"
import { BaseUrl, raw } from "../../test/support/TestServer.js"
import { type HttpTarget, ROOT, startDocport } from "../support/processes.js"
import { median } from "../support/stats.js"
import { type LoadResult, runLoad } from "./load.js"

export type HeavyScenarioId = "agents-500" | "deployments-200" | "records-10000" | "agents-2000"

export interface HeavySettings {
  readonly connections: number
  readonly durationS: number
  readonly warmupS: number
  readonly rounds: number
  /** A git revision to measure against (docport before streaming), or undefined for docport alone. */
  readonly before: string | undefined
  readonly log: (line: string) => void
}

export interface HeavyRun {
  readonly target: string
  readonly round: number
  readonly scenario: HeavyScenarioId
  /** Items in the answer and its size. */
  readonly items: number
  readonly bodyBytes: number
  readonly result: LoadResult
  readonly rssBeforeMB: number
  readonly rssPeakMB: number
  /** (peak − before) / connections. */
  readonly perRequestMB: number
}

// About 10 KB of Python, as the code Gofannon's composer writes.
const CODE = Array.from({ length: 160 }, (_, i) =>
  i % 8 === 0 ? `def step_${i}(data, context):` : `    result_${i} = transform(data["field_${i}"], options={"retries": 3})`).join("\n")

const schema = (fields: number) => ({
  type: "object",
  properties: Object.fromEntries(Array.from({ length: fields }, (_, i) => [`field${i}`, { type: "string", description: `input field number ${i}` }])),
  required: ["field0"]
})

/** An agent as Gofannon's editor saves it (models/agent.py): code, tools, schemas, models, env vars. */
export const heavyAgent = (n: number, friendly: boolean) => ({
  name: `Report agent ${n}`,
  description: `Reads the quarterly figures of a business unit and writes a summary report (agent ${n})`,
  code: CODE,
  docstring: "run(input) -> report: summarises the figures it is given",
  friendlyName: friendly ? `report-agent-${n}` : "",
  tools: { "https://mcp.example.org/finance": ["get_figures", "get_history"], "web": ["search", "fetch"] },
  swaggerSpecs: [{ name: "figures.yaml", content: "openapi: 3.0.0\ninfo:\n  title: Figures\n  version: 1.0.0\npaths: {}\n" }],
  inputSchema: schema(6),
  outputSchema: schema(4),
  invokableModels: [{ provider: "openai", model: "gpt-4o", parameters: { temperature: 0.2 } }],
  gofannonAgents: [],
  composerModelConfig: { provider: "openai", model: "gpt-4o", parameters: { temperature: 0.7, max_tokens: 4000 } },
  dataStoreConfig: [{ namespace: "reports", access: "both" }],
  envVars: [{ key: "REGION", value: "emea", description: "which unit" }]
})

const fail = (what: string) => (reply: { status: number; text: string }) =>
  new Error(`${what} answered ${reply.status}: ${reply.text.slice(0, 300)}`)

const call = (base: string, method: string, path: string, body: unknown, expected: number) =>
  raw(method, path, body).pipe(
    Effect.provideService(BaseUrl, base),
    Effect.filterOrFail((reply) => reply.status === expected, fail(`${method} ${path}`))
  )

const seedAgents = (base: string, from: number, to: number, friendly: number) =>
  Effect.forEach(
    Array.from({ length: to - from }, (_, i) => from + i),
    (n) => Effect.map(call(base, "POST", "/agents", heavyAgent(n, n < friendly), 201), (reply) => reply.body._id as string),
    { concurrency: 16 }
  )

const seedDeployments = (base: string, ids: ReadonlyArray<string>) =>
  Effect.forEach(ids, (id) => call(base, "POST", `/agents/${id}/deploy`, undefined, 201), { concurrency: 8, discard: true })

const seedRecords = (base: string, namespace: string, total: number) =>
  Effect.forEach(Array.from({ length: Math.ceil(total / 1000) }, (_, page) => page), (page) =>
    call(base, "POST", "/data-store/ops/setMany", {
      namespace,
      agent: "bench",
      items: Array.from({ length: 1000 }, (_, i) => {
        const n = page * 1000 + i
        return { key: `files/src/module-${String(n).padStart(6, "0")}.py`, value: { lines: n % 400, summary: `module ${n} of the project`, tags: ["py", "src"] } }
      })
    }, 200), { discard: true })

interface Scenario {
  readonly id: HeavyScenarioId
  readonly path: string
  readonly items: number
  readonly seed: (base: string) => Effect.Effect<void, Error>
}

const SCENARIOS: ReadonlyArray<Scenario> = [
  { id: "agents-500", path: "/agents", items: 500, seed: (base) => Effect.asVoid(seedAgents(base, 0, 500, 0)) },
  {
    id: "deployments-200",
    path: "/deployments",
    items: 200,
    seed: (base) => Effect.flatMap(seedAgents(base, 0, 500, 200), (ids) => seedDeployments(base, ids.slice(0, 200)))
  },
  { id: "records-10000", path: "/data-store/namespaces/heavy/records", items: 10_000, seed: (base) => seedRecords(base, "heavy", 10_000) },
  { id: "agents-2000", path: "/agents", items: 2_000, seed: (base) => Effect.asVoid(seedAgents(base, 0, 2_000, 0)) }
]

const rssMB = (pid: number): number => {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))
    return match === null ? Number.NaN : Number(match[1]) / 1024
  } catch {
    return Number.NaN
  }
}

/** The highest RSS of the process while `effect` runs, sampled every 5 ms. */
const peakRss = <A, E>(pid: number, effect: Effect.Effect<A, E>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const state = { peak: rssMB(pid), timer: undefined as NodeJS.Timeout | undefined }
      state.timer = setInterval(() => (state.peak = Math.max(state.peak, rssMB(pid))), 5)
      return state
    }),
    (state) => Effect.map(effect, (a) => [a, state] as const),
    (state) => Effect.sync(() => clearInterval(state.timer))
  ).pipe(Effect.map(([a, state]) => [a, Math.max(state.peak, rssMB(pid))] as const))

/** docport's sources at `rev`, built as `npm run build` builds them, under bench/.before/<rev>/ (node_modules resolve from the root). */
const buildBefore = (rev: string) =>
  Effect.try({
    try: () => {
      const dir = join(ROOT, "bench", ".before", rev.replace(/[^A-Za-z0-9._-]/g, "_"))
      if (!existsSync(join(dir, "dist", "app", "main.js"))) {
        mkdirSync(dir, { recursive: true })
        execFileSync("sh", ["-c", `git -C "${ROOT}" archive "${rev}" src | tar -x -C "${dir}"`], { stdio: "inherit" })
        execFileSync(join(ROOT, "node_modules", ".bin", "esbuild"), [
          `${dir}/src/**/*.ts`,
          `--outdir=${join(dir, "dist")}`,
          "--format=esm",
          "--platform=node",
          "--target=node20",
          "--log-level=warning"
        ], { cwd: ROOT, stdio: "inherit" })
      }
      return join(dir, "dist", "app", "main.js")
    },
    catch: (cause) => new Error(`cannot build docport at ${rev}: ${String(cause)}`)
  })

const startBuilt = (name: string, main: string): Effect.Effect<HttpTarget, Error, Scope.Scope> =>
  Effect.gen(function*() {
    const port = yield* freePort
    const server = yield* startChildServer({
      name,
      command: process.execPath,
      args: [main],
      cwd: ROOT,
      env: { DATABASE_PROVIDER: "memory", PORT: String(port), HOST: "127.0.0.1", NODE_ENV: "production" },
      ready: (output) => output.includes("Listening on"),
      startTimeoutMs: 60_000
    })
    return { name, url: `http://127.0.0.1:${port}`, pid: server.process.pid ?? 0 }
  })

const heavyRequest = (path: string): Request => ({ method: "GET", path })

const measure = (target: HttpTarget, scenario: Scenario, round: number, settings: HeavySettings) =>
  Effect.gen(function*() {
    const check = yield* call(target.url, "GET", scenario.path, undefined, 200)
    if (!Array.isArray(check.body) || check.body.length !== scenario.items) {
      return yield* Effect.fail(new Error(`${target.name} ${scenario.path}: ${Array.isArray(check.body) ? check.body.length : "no"} items, expected ${scenario.items}`))
    }
    const requests = [heavyRequest(scenario.path)]
    const options = { connections: settings.connections, durationS: settings.durationS, serverPid: target.pid }
    const rssBeforeMB = rssMB(target.pid)
    const [result, rssPeakMB] = yield* peakRss(target.pid, Effect.zipRight(
      settings.warmupS > 0 ? runLoad(target.url, requests, { ...options, durationS: settings.warmupS }) : Effect.void,
      runLoad(target.url, requests, options)
    ))
    const run: HeavyRun = {
      target: target.name,
      round,
      scenario: scenario.id,
      items: scenario.items,
      bodyBytes: Buffer.byteLength(check.text),
      result,
      rssBeforeMB,
      rssPeakMB,
      perRequestMB: (rssPeakMB - rssBeforeMB) / settings.connections
    }
    settings.log(
      `  round ${round} ${scenario.id.padEnd(15)} ${target.name.padEnd(18)}: ${Math.round(result.rps)} req/s, p50 ${result.p50.toFixed(1)} ms, ` +
        `p99 ${result.p99.toFixed(1)} ms, ${result.errors} errors, CPU ${Math.round(result.cpuUsPerRequest)} µs/req, ` +
        `RSS ${rssBeforeMB.toFixed(0)} → ${rssPeakMB.toFixed(0)} MB (${run.perRequestMB.toFixed(1)} MB per concurrent request), body ${(run.bodyBytes / 1e6).toFixed(2)} MB`
    )
    return run
  })

/** Every scenario on a fresh pair of processes (docport and, with `before`, its earlier build), alternating who goes first. */
export const heavyBench = (settings: HeavySettings) =>
  Effect.gen(function*() {
    const beforeMain = settings.before === undefined ? undefined : yield* buildBefore(settings.before)
    const runs: Array<HeavyRun> = []
    for (let round = 1; round <= settings.rounds; round++) {
      for (const [index, scenario] of SCENARIOS.entries()) {
        runs.push(...yield* Effect.scoped(Effect.gen(function*() {
          const targets: Array<HttpTarget> = [yield* startDocport({ DATABASE_PROVIDER: "memory" })]
          if (beforeMain !== undefined) targets.push(yield* startBuilt(`before ${settings.before}`, beforeMain))
          for (const target of targets) yield* scenario.seed(target.url)
          const order = (round + index) % 2 === 0 ? targets : [...targets].reverse()
          return yield* Effect.forEach(order, (target) => measure(target, scenario, round, settings))
        })))
      }
    }
    return runs
  })

const mb = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : "–")

/** Medians over the rounds, one row per scenario and server, and the ratio of docport to the earlier build. */
export const heavyTable = (runs: ReadonlyArray<HeavyRun>): string => {
  const rows: Array<string> = [
    "| scenario | server | items | body MB | req/s | p50 ms | p99 ms | CPU µs/req | RSS peak − before, MB per concurrent request | errors |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  ]
  const keys = [...new Set(runs.map((r) => `${r.scenario}\u0000${r.target}`))]
  for (const key of keys) {
    const [scenario, target] = key.split("\u0000") as [HeavyScenarioId, string]
    const these = runs.filter((r) => r.scenario === scenario && r.target === target)
    const m = (f: (r: HeavyRun) => number) => median(these.map(f))
    rows.push(
      `| ${scenario} | ${target} | ${these[0]!.items.toLocaleString("en-US")} | ${(m((r) => r.bodyBytes) / 1e6).toFixed(2)} | ${Math.round(m((r) => r.result.rps))} | ` +
        `${m((r) => r.result.p50).toFixed(1)} | ${m((r) => r.result.p99).toFixed(1)} | ${Math.round(m((r) => r.result.cpuUsPerRequest))} | ` +
        `${mb(m((r) => r.perRequestMB))} | ${these.reduce((sum, r) => sum + r.result.errors, 0)} |`
    )
  }
  return rows.join("\n")
}
