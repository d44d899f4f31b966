/**
 * A scenario's continuous run under wrk (bench/wrk/scenario.lua) instead of autocannon: the load
 * generator issue 15 was filed with, in C, with no garbage collector of its own to stop for.
 * autocannon, even in an isolate of its own (loadWorker.ts), added its pauses to the tails it
 * reported: on GET /agents/{id}, docport's p99 / p50 read 2.36 with autocannon and 2.00 with wrk,
 * the bare HttpApi's 2.50 and 1.67 (bench/HISTORY.md, 2 December). wrk is a system package
 * (Debian: apt-get install wrk), which `npm ci` cannot install, so the bench uses it where it is
 * found and autocannon elsewhere, and says which it used.
 */
import { Effect } from "effect"
import { execFile, spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ROOT } from "../support/processes.js"
import { errorsOf, type LoadOptions, type LoadResult, settleRevisions, withServerCpuMs } from "./load.js"
import { type Agents, agentBody, type ScenarioId } from "./scenarioRequests.js"

/** wrk's version ("wrk debian/4.1.0-3+b2 [epoll]"), or undefined where wrk is not on the PATH. */
export const wrkVersion = (): string | undefined => {
  // wrk -v prints its version and usage, and exits with 1.
  const out = spawnSync("wrk", ["-v"], { encoding: "utf8" })
  const line = out.error === undefined ? out.stdout.split("\n")[0] : undefined
  return line?.startsWith("wrk ") === true ? line.replace(/\s+Copyright.*$/, "").trim() : undefined
}

// As the issue measured: two threads, each with half of the connections.
const THREADS = 2

/**
 * How long each wrk thread waits before its first request (scenario.lua), so that a run measures
 * a server serving connections already open rather than one accepting them under load. Since
 * libuv 1.45 (Node 20.3; libuv pull request 3696) a server accepts one connection per turn of its
 * event loop, and a loaded turn serves every open connection once: wrk's 32 connections, opened
 * all at once, were accepted one every 5 - 20 ms, the last after 270 - 320 ms, and their first
 * requests waited as long. On a plain node:http server spending the CPU per request docport
 * spends on the list, 2-s runs read p99 94 - 153 ms with the opening and 32 - 35 ms without
 * (2 December): up to 1 % of a 6-s run's requests was the opening, not the steady state. An
 * idle server accepts 32 connections in a few milliseconds; 200 leaves room for the requests
 * the run before left in flight. bench/wrk/fresh.sh reads it from here.
 */
export const OPEN_MS = 200

/** What scenario.lua prints once wrk is done; latencies in microseconds. */
interface WrkSummary {
  readonly requests: number
  readonly durationUs: number
  readonly p50: number
  readonly p99: number
  readonly p999: number
  readonly failures: number
  readonly statuses: Record<string, number>
}

const parseSummary = (stdout: string): WrkSummary => {
  const line = stdout.trim().split("\n").pop() ?? ""
  try {
    return JSON.parse(line) as WrkSummary
  } catch {
    throw new Error(`wrk printed no summary: ${stdout.slice(-300)}`)
  }
}

const runWrk = (url: string, connections: number, durationS: number, env: Record<string, string>) =>
  Effect.async<string, Error>((resume) => {
    // A child of this process: it runs where this process is pinned (cpu.ts, loadGeneratorPinned).
    const child = execFile(
      "wrk",
      [`-t${THREADS}`, `-c${connections}`, `-d${Math.max(1, Math.round(durationS))}s`, "--timeout", "10s", "-s", join(ROOT, "bench", "wrk", "scenario.lua"), url],
      { env: { ...process.env, ...env, THREADS: String(THREADS), OPEN_MS: String(OPEN_MS) }, maxBuffer: 1 << 20 },
      (error, stdout, stderr) => resume(error === null ? Effect.succeed(stdout) : Effect.fail(new Error(`wrk: ${error.message} ${stderr.slice(-300)}`)))
    )
    return Effect.sync(() => child.kill())
  })

/**
 * One run of a scenario over a server's agents, whose revisions it reads and leaves current, as
 * runLoad does. The server's CPU is read around wrk's whole run, not the reading of revisions after it.
 */
export const runWrkScenario = (
  url: string,
  load: { readonly scenario: ScenarioId; readonly agents: Agents },
  options: LoadOptions
): Effect.Effect<LoadResult, Error> =>
  Effect.acquireUseRelease(
    Effect.sync(() => mkdtempSync(join(tmpdir(), "docport-wrk-"))),
    (dir) =>
      Effect.gen(function*() {
        const files = { AGENTS: join(dir, "agents"), BODY: join(dir, "body"), REVS: join(dir, "revs") }
        writeFileSync(files.AGENTS, load.agents.ids.map((id) => `${id} ${load.agents.revs.get(id) ?? "none"}\n`).join(""))
        writeFileSync(files.BODY, JSON.stringify(agentBody(0)))
        writeFileSync(files.REVS, "")
        const [stdout, cpuMs] = yield* withServerCpuMs(options.serverPid, runWrk(url, options.connections, options.durationS, { ...files, SCENARIO: load.scenario }))
        const summary = yield* Effect.try({ try: () => parseSummary(stdout), catch: (e) => e as Error })
        for (const line of readFileSync(files.REVS, "utf8").split("\n")) {
          const [id, rev] = line.split(" ")
          if (id !== undefined && rev !== undefined && rev !== "none") load.agents.revs.set(id, rev)
        }
        yield* settleRevisions(url, load)
        return toResult(summary, cpuMs, load.scenario)
      }),
    (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
  )

const toResult = (summary: WrkSummary, cpuMs: number, scenario: ScenarioId): LoadResult => {
  const durationS = summary.durationUs / 1e6
  return {
    requests: summary.requests,
    durationS,
    rps: summary.requests / durationS,
    p50: summary.p50 / 1000,
    p99: summary.p99 / 1000,
    p999: summary.p999 / 1000,
    errors: errorsOf(summary.failures, summary.statuses, scenario),
    conflicts: summary.statuses["409"] ?? 0,
    statuses: summary.statuses,
    cpuUsPerRequest: (cpuMs * 1000) / summary.requests,
    cpuShare: cpuMs / (durationS * 1000),
    turnCpuUsPerRequest: [],
    loadStalls: undefined
  }
}
