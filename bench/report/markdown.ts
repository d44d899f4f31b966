import type { BulkRun } from "../bulk/bulkBench.js"
import type { ClusterRun } from "../cluster/clusterBench.js"
import { clusterSection, clusterTable } from "../cluster/clusterReport.js"
import { type HeavyRun, heavyTable } from "../http/heavyScenarios.js"
import { afterClimbRatios, CLIMB_SECONDS, type FreshRun, freshRoundsTable, freshTable } from "../http/freshStart.js"
import type { HttpRun } from "../http/httpBench.js"
import { STALL_MS } from "../http/stall.js"
import type { PortRun } from "../port/portBench.js"
import type { Machine, Noise } from "../support/machine.js"
import type { ProfileSummary } from "../support/profile.js"
import { median } from "../support/stats.js"
import { fullGcTable } from "./fullGcTable.js"
import { postCyclesTable } from "./postCyclesTable.js"
import type { CycleRun } from "../http/postCycles.js"
import { httpApiTable } from "./httpApiTable.js"
import { loadStallsTable } from "./loadStallsTable.js"
import { markdownTable as table } from "./table.js"
import type { BackendHttp, BulkFigures, Comparison, PortFigures, StreamRun } from "./summary.js"

export interface Results {
  readonly date: string
  readonly command: string
  readonly settings: Record<string, unknown>
  readonly machine: Machine
  readonly versions: Record<string, string>
  readonly noise: Noise
  readonly wallSeconds: number
  readonly http: ReadonlyArray<HttpRun>
  /** POST over a span of full collections (absent in results from before 3 December). */
  readonly postCycles?: ReadonlyArray<CycleRun> | undefined
  readonly fresh?: ReadonlyArray<FreshRun> | undefined
  readonly port: ReadonlyArray<PortRun>
  readonly bulk: ReadonlyArray<BulkRun>
  readonly stream: ReadonlyArray<StreamRun>
  /** Absent from results written before the section existed. */
  readonly cluster?: ReadonlyArray<ClusterRun> | undefined
  /** The real client's heavy calls (absent in results from before they were measured). */
  readonly heavy?: ReadonlyArray<HeavyRun> | undefined
  readonly failures: ReadonlyArray<string>
  readonly summary: {
    readonly comparisons: ReadonlyArray<Comparison>
    readonly backends: ReadonlyArray<BackendHttp>
    readonly port: ReadonlyArray<PortFigures>
    readonly bulk: ReadonlyArray<BulkFigures>
  }
  readonly profiles: Record<string, ProfileSummary>
}

const n0 = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? "–" : Math.round(n).toLocaleString("en-US"))
const n2 = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? "–" : n.toFixed(2))
const ms = (n: number) => (n >= 10 ? n.toFixed(1) : n.toFixed(2))
const mark = (ok: boolean) => (ok ? "✅" : "❌")

/** The targets of the issue, for the memory comparison. */
export const httpTargets = (c: Comparison) => c.ratio >= 0.5 && (c.scenario !== "get" || c.docport.p99 < 10)

export const SAVE_MANY_LIMITS: Record<string, { readonly limit: number; readonly note: string }> = {
  couchdb: { limit: 10, note: "≤ 10" },
  dynamodb: { limit: 400, note: "≤ 400 + retries" },
  firestore: { limit: 20, note: "≤ 20" }
}

// Requests that make a new collection's database or table: once in its lifetime, not per bulk call.
const SETUP = new Set(["PUT /{name}", "CreateTable", "DescribeTable"])

const setupRequests = (b: BulkFigures) =>
  Object.entries(b.requestKinds ?? {}).filter(([kind]) => SETUP.has(kind)).reduce((sum, [, n]) => sum + n, 0)

/** The bulk requests, setup left out; DynamoDB may add retries of unprocessed items (a tenth here). */
const saveManyVerdict = (b: BulkFigures): string => {
  const rule = SAVE_MANY_LIMITS[b.backend]
  if (rule === undefined || b.requests === undefined) return ""
  const setup = setupRequests(b)
  const bulk = b.requests - setup
  const ok = bulk <= (b.backend === "dynamodb" ? rule.limit * 1.1 : rule.limit)
  return `${mark(ok)} ${bulk} ${rule.note}${setup === 0 ? "" : ` (+${setup} creating the collection)`}`
}

export const httpComparisonTable = (comparisons: ReadonlyArray<Comparison>) => {
  const floor = comparisons.some((c) => c.platform !== undefined)
  return table(
    [
      "scenario",
      "docport req/s",
      "baseline req/s",
      "docport / baseline",
      ...(floor ? ["bare @effect/platform / baseline"] : []),
      "docport p50 / p99 ms",
      "baseline p50 / p99 ms",
      "errors",
      "409s",
      `server CPU µs/req (docport / ${floor ? "platform / " : ""}baseline)`,
      "target"
    ],
    comparisons.map((c) => [
      c.label,
      n0(c.docport.rps),
      n0(c.baseline.rps),
      `**${n2(c.ratio)}**`,
      ...(floor ? [c.platform === undefined ? "–" : `${n2(c.platformRatio)} (${n0(c.platform.rps)} req/s)`] : []),
      `${ms(c.docport.p50)} / ${ms(c.docport.p99)}`,
      `${ms(c.baseline.p50)} / ${ms(c.baseline.p99)}`,
      `${c.docport.errors} / ${c.baseline.errors}`,
      `${c.docport.conflicts} / ${c.baseline.conflicts}`,
      `${n0(c.docport.cpuUsPerRequest)} / ${floor ? `${n0(c.platform?.cpuUsPerRequest)} / ` : ""}${n0(c.baseline.cpuUsPerRequest)}`,
      mark(httpTargets(c))
    ])
  )
}

export const backendTable = (backends: ReadonlyArray<BackendHttp>) =>
  table(
    ["backend", "scenario", "req/s", "p50 ms", "p99 ms", "errors", "409s", "server CPU µs/req", "spread"],
    backends.map((b) => [
      b.backend,
      b.label,
      n0(b.figures.rps),
      ms(b.figures.p50),
      ms(b.figures.p99),
      String(b.figures.errors),
      String(b.figures.conflicts),
      n0(b.figures.cpuUsPerRequest),
      `${(b.figures.spread * 100).toFixed(0)} %`
    ])
  )

export const portTable = (port: ReadonlyArray<PortFigures>) => {
  const before = port.some((p) => p.beforeCpuUs !== undefined)
  const control = port.some((p) => p.controlOverhead !== undefined)
  return table(
    [
      "backend",
      "operation",
      "port ops/s",
      "raw client ops/s",
      "port / raw time",
      "raw operations / raw time",
      ...(before ? ["before: port / raw time", "after / before time"] : []),
      ...(control ? ["control: a second raw client / raw time"] : []),
      `client CPU µs/op (port / raw operations / ${before ? "before / " : ""}raw)`,
      "target ≤ 1.10"
    ],
    port.map((p) => [
      p.backend,
      p.op === "getMany" ? "getMany (100 ids)" : p.op,
      n0(p.adapterOps),
      n0(p.rawOps),
      p.overhead === undefined ? "–" : `**${n2(p.overhead)}**`,
      n2(p.rawDatabaseOverhead),
      ...(before ? [n2(p.beforeOverhead), n2(p.afterOverBefore)] : []),
      ...(control ? [n2(p.controlOverhead)] : []),
      `${n0(p.adapterCpuUs)} / ${n0(p.rawDatabaseCpuUs)} / ${before ? `${n0(p.beforeCpuUs)} / ` : ""}${n0(p.rawCpuUs)}`,
      p.overhead === undefined ? "–" : mark(p.overhead <= 1.1)
    ])
  )
}

export const bulkTable = (bulk: ReadonlyArray<BulkFigures>) =>
  table(
    ["backend", "operation", "documents", "time", "requests to the backend", "of which", "target"],
    bulk.map((b) =>
      [
        b.backend,
        b.op,
        n0(b.documents),
        `${(b.ms / 1000).toFixed(2)} s`,
        b.requests === undefined ? "– (in process)" : String(b.requests),
        b.requestKinds === undefined ? "" : Object.entries(b.requestKinds).map(([k, v]) => `${k} ×${v}`).join(", "),
        b.op === "saveMany" ? saveManyVerdict(b) : ""
      ]
    )
  )

export const streamTable = (stream: ReadonlyArray<StreamRun>) =>
  table(
    ["backend", "documents", "page size", "time", "peak extra heap", "of it live after GC", "peak extra RSS", "listAll holds (for contrast)", "target < 50 MB"],
    stream.map((s) => [
      s.backend,
      n0(s.documents),
      String(s.pageSize),
      `${(s.ms / 1000).toFixed(2)} s`,
      `${s.extraHeapMB.toFixed(1)} MB`,
      `${s.extraLiveHeapMB.toFixed(1)} MB`,
      `${s.extraRssMB.toFixed(1)} MB`,
      `${s.listAllHeapMB.toFixed(1)} MB`,
      mark(Math.max(s.extraHeapMB, s.extraRssMB) < 50)
    ])
  )

export const noiseLine = (noise: Noise) => {
  const loads = [...noise.loadAverages].sort((a, b) => a - b)
  return `load average (1 min) sampled every 5 s: min ${loads[0]}, median ${median(loads).toFixed(2)}, max ${loads.at(-1)}` +
    (noise.busyShare === undefined ? "" : `; all CPUs ${Math.round(noise.busyShare * 100)} % busy over the run (the bench's own processes included)`)
}

const roundsTable = (http: ReadonlyArray<HttpRun>) =>
  table(
    ["round", "scenario", "server", "req/s", "p50 ms", "p99 ms", "errors", "409s", "server CPU µs/req"],
    http.map((r) => [
      String(r.round),
      r.scenario,
      `${r.target}/${r.backend}`,
      n0(r.result.rps),
      ms(r.result.p50),
      ms(r.result.p99),
      String(r.result.errors),
      String(r.result.conflicts),
      n0(r.result.cpuUsPerRequest)
    ])
  )

const profileSection = (name: string, p: ProfileSummary) =>
  [
    `### ${name}`,
    "",
    `${p.totalMs.toFixed(0)} ms sampled, ${p.idleMs.toFixed(0)} ms idle. Self time by area (share of busy time):`,
    "",
    table(["area", "share", "ms"], p.byArea.slice(0, 10).map((l) => [l.name, `${(l.share * 100).toFixed(1)} %`, l.ms.toFixed(0)])),
    "",
    "Top functions by self time:",
    "",
    table(["function", "share"], p.topFunctions.slice(0, 12).map((l) => [`\`${l.name}\``, `${(l.share * 100).toFixed(1)} %`])),
    "",
    "docport's own functions, inclusive:",
    "",
    table(["function", "share"], p.docportInclusive.slice(0, 8).map((l) => [`\`${l.name}\``, `${(l.share * 100).toFixed(1)} %`]))
  ].join("\n")

export const markdown = (r: Results, chartFile: string): string => {
  const s = r.summary
  return [
    `# docport benchmark, ${r.date}`,
    "",
    `Command: \`${r.command}\` · commit ${r.machine.commit} · ${Math.round(r.wallSeconds / 60)} min`,
    "",
    `Machine: ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGB} GB, ${r.machine.os}, Node ${r.machine.node}. ` +
      `Versions: ${Object.entries(r.versions).map(([k, v]) => `${k} ${v}`).join(", ")}.`,
    "",
    `Noise: ${noiseLine(r.noise)}.`,
    "",
    `Settings: ${Object.entries(r.settings).map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(", ")}.`,
    "",
    "## HTTP: docport on memory against the baseline",
    "",
    "The baseline is the same routes on plain `node:http` with a `Map` (bench/baseline/server.ts); \"bare @effect/platform\" " +
    "is the same route code on the HTTP server and router docport runs on, without HttpApi, schemas, domain or port " +
    "(bench/baseline/platformServer.ts): the floor of docport's stack. Each runs as a process of its own, taking turns " +
    "scenario by scenario in each round (the order rotates); figures are medians over the rounds, ratios the median of " +
    "each round's ratio. Errors are non-2xx answers other than 409 (409s are PUTs that raced for one revision, " +
    "expected). Server CPU is the user + system time of the server process per request. docport runs as `npm start` " +
    "runs it (its server bundled with the Effect packages, dist/server/, since scripts/bundleServer.mjs), the baselines " +
    "from bundles of theirs made by the same script (bench/.build/), all with `npm start`'s node flags. " +
    (r.settings.load === "wrk"
      ? "The continuous runs, whose p50 and p99 are reported and judged, are loaded by wrk (bench/http/wrkLoad.ts, " +
        "bench/wrk/scenario.lua; two threads, the connections shared between them), a load generator in C with no " +
        "collector of its own to stop for, whose connections are all open before the first request (a loaded Node " +
        "server accepts one connection per turn of its event loop: wrkLoad.ts); the slices that compare CPU are autocannon's. "
      : "") +
    "autocannon runs in a worker thread of the bench, an isolate of its own " +
    "(bench/http/loadWorker.ts): in the bench's isolate, whose heap holds the run's results, it stopped with that " +
    "heap's collections (up to 34 ms), and every connection's latency with it. " +
    (r.settings.pin === true
      ? "Every server of this section and of the fresh processes runs on the machine's last CPU and the load generator on " +
        "its first (taskset): this machine slows memory-bound work on one CPU at a time, for seconds on end " +
        "(bench/machine/cpuSpeed.ts), and servers compared slice by slice must meet the same CPU."
      : "Servers and load generator run where the OS places them (--no-pin)."),
    "",
    httpComparisonTable(s.comparisons),
    "",
    `![docport vs baseline](${chartFile})`,
    "",
    ...httpApiSection(s.comparisons, r.http),
    ...postCyclesPart(r.postCycles ?? []),
    ...freshSection(r.fresh ?? []),
    "## HTTP on every backend",
    "",
    backendTable(s.backends),
    "",
    "## The port without HTTP: adapter against the raw client",
    "",
    "Calls one at a time through the port (the adapter's raw operations under the port's validation, limits, spans and " +
    "metrics, as the service runs them), through the adapter's raw operations alone (src/ports/RawDatabase.ts), and " +
    "through the backend's own client (nano, the DynamoDB document client, the Firestore SDK) making the same requests, " +
    "against the same collection of 1,000 documents on the same server. In each round the clients take turns in " +
    "half-second slices, the order rotating slice by slice; a ratio is the median over rounds of that round's ratio. " +
    "X / raw time is the time per call through X over the time per call through the raw client (1.00 = no overhead); " +
    "\"before\" is the port and adapters of the --port-before commit, measured in the same turns; \"control\" is a " +
    "second raw client made as the first (a connection of its own), measured in the same turns: how far this run " +
    "tells two identical clients apart, the yardstick for every ratio beside it. Client CPU is the " +
    "bench process's own CPU time per call. The port and the adapters (this build's and the before's) are loaded " +
    "from esbuild builds, as `npm start` runs them.",
    "",
    portTable(s.port),
    "",
    "## Bulk",
    "",
    "saveMany of new documents into a new collection, then getMany of all of them, the adapter talking to its server " +
    "through a proxy that counts requests (the time includes the proxy's hop).",
    "",
    bulkTable(s.bulk),
    "",
    "## Stream",
    "",
    "In a fresh process (node --expose-gc) on docport's own layer: load the documents, collect garbage, then stream " +
    "them; memory is the peak above what the process held just before the stream.",
    "",
    streamTable(r.stream),
    ...((r.cluster ?? []).length === 0 ? [] : ["", clusterSection(r.cluster ?? [])]),
    ...(r.heavy === undefined || r.heavy.length === 0 ? [] : [
      "",
      "## Heavy calls of Gofannon's UI",
      "",
      "GET /agents (agents of ~10 KB code, tools, schemas, models), GET /deployments joined to their agents, and the " +
      "unpaged data-store list, on memory, seeded over HTTP. docport and its build at the given earlier commit run side " +
      "by side, each scenario on a fresh pair of processes, taking turns (order alternating). Live heap: each build alone " +
      "in a process (bench/http/heavyChild.ts) under the same clients, a full collection every 100 ms, the peak of the " +
      "heap in use (JS heap and buffers) above the same figure before the load, per concurrent request. RSS: the loaded " +
      "server's peak RSS during warm-up and load above its RSS just before, per concurrent request. Medians over rounds.",
      "",
      heavyTable(r.heavy)
    ]),
    ...(r.failures.length === 0 ? [] : ["", "## Not measured", "", ...r.failures.map((f) => `- ${f}`)]),
    ...(Object.keys(r.profiles).length === 0
      ? []
      : ["", "## CPU profiles", "", ...Object.entries(r.profiles).map(([name, p]) => profileSection(name, p))]),
    "",
    "## Every HTTP round",
    "",
    roundsTable(r.http),
    ""
  ].join("\n")
}

// A table with the paragraph that says how to read it; nothing where the table is absent.
const captioned = (caption: string, table: string | undefined): Array<string> => (table === undefined ? [] : [caption, "", table, ""])

const loadStallsPart = (runs: ReadonlyArray<HttpRun>) =>
  captioned(
    "Where the tails come from. The load generator (bench/http/loadWorker.ts) notes every time its own event loop " +
    `stood still for ${STALL_MS} ms or more (a collection of its isolate, a long turn of its own loop, the OS running ` +
    "something else on its CPU): " +
    "meanwhile no answer is read, and every connection in flight counts the stall as the server's latency. Medians " +
    "over the rounds of the continuous runs on memory: where the answers over p99 were in flight during a stall " +
    "far more often than the answers as a whole, the load generator's pauses make that much of the tail. The last " +
    "column leaves out every answer a stall met: a diagnosis, not the figure the target is judged on.",
    loadStallsTable(runs)
  )

const fullGcPart = (runs: ReadonlyArray<HttpRun>) =>
  captioned(
    "docport's tail and V8's full collections. Each of docport's continuous runs on memory, round by round: its p99 / p50, " +
    "and how many full collections of its heap V8 made during the run, with their pauses added up " +
    "(`docport_gc_pause_seconds{kind=\"major\"}`, read before and after the run). A full collection also marks the heap " +
    "in steps between requests for two to four times its pause, so a run that holds one reads its tail from it. On memory " +
    "the documents and their ids lie outside the heap (src/adapters/memory/DocumentArena.ts, IdIndex.ts); the documents " +
    "read last are on it, up to a budget, so a stream of `POST`s does not grow it.",
    fullGcTable(runs)
  )

const postCyclesPart = (runs: ReadonlyArray<CycleRun>) =>
  captioned(
    "`POST` over a span of full collections (bench/http/postCycles.ts). On memory every `POST` adds a live agent: until 6 " +
    "December the heap grew with every request (about 1 KB, then 100 bytes with the documents outside it; nothing " +
    "since the ids are outside it too) and V8 collected it whole each time it had doubled, further apart as it grew, " +
    "longer than the scenarios' runs, whose p99 then said whether a collection fell into them. After the scenarios, each round, docport and the bare HttpApi run `POST` on, in turn (docport first in the " +
    "rounds it started first), the other servers stopped, for a span meant to hold collections (--post-cycles): the " +
    "tail over their cycle, and its p99.9, where what they cost still shows. The last column counts docport's; a span " +
    "that held none says nothing of them.",
    postCyclesTable(runs)
  )

const httpApiSection = (comparisons: ReadonlyArray<Comparison>, runs: ReadonlyArray<HttpRun>) => {
  const rendered = httpApiTable(comparisons)
  return rendered === undefined ? [] : [
    "## HTTP: docport against a bare HttpApi, and tails",
    "",
    "The bare HttpApi is docport's agent routes, schemas and statuses on the same @effect/platform with handlers over a " +
    "`Map` (bench/baseline/httpApiServer.ts): no domain, port, authentication, access log or metrics. It takes its turn " +
    "beside docport in every round, each a fresh process. docport runs as shipped: spans and metrics on, no exporter. " +
    "\"HttpApi with sign-in\", where measured, is the same server with docport's sign-in middleware declared on the agent " +
    "routes (its statuses; a plain middleware since cd55f69, the platform's security middleware with docport's cookie and " +
    "bearer schemes before) letting every request in: the ratio over it leaves out what running a middleware before each " +
    "handler costs any HttpApi with sign-in. " +
    "\"HttpApi trained alike\", where measured, is the bare HttpApi trained before its port opens as docport's " +
    "start-up warm-up trains docport (bench/baseline/httpApiTraining.ts: the same budget, client and concurrency, over the " +
    "agent routes of docport's warm-up round that it serves): docport's warm-up is on by default, so this ratio compares the " +
    "two in the same state, and the one over the untrained HttpApi counts what the training costs V8 as docport's own. " +
    "The target is judged against the bare HttpApi, as issue 15 sets it, and shown against the trained one too. " +
    "\"Its earlier build\", where measured (--http-before, named in the settings above), is docport built at that commit, " +
    "a contestant of the same rounds: a change judged within one run, not against a run made at another hour. " +
    "The CPU ratios of this table are taken slice by slice: after the continuous runs, docport and each of these servers " +
    "in turn run the scenario again, the two at once on the one CPU they share, for the run's duration uncounted, then " +
    "in slices of one second for the run's duration; a ratio is the geometric mean of two medians of docport's CPU per " +
    "request over the other's in the same slice: one over every slice of the rounds in which docport started first " +
    "(odd rounds), one over the rounds in which it started last (even rounds), where its load generator is also made " +
    "second of the pair's two each slice: the order two servers start in moved their ratio by up to 6 % " +
    "(bench/http/settingsBench.ts). Runs before 1 December 18:11 UTC started docport first and made its load generator " +
    "first in every round, and took the median over every slice; so did the run of 18:11 but for the start order. " +
    "docport read 0.94 - 0.98 x the CPU of an identical build (--http-before at a commit with the same src/) in those " +
    "runs (17:11 and 18:11 UTC), 0.985 and 1.006 x with both orders alternating (18:45 UTC, GET and PUT), and " +
    "0.90 - 0.98 x in the full run of 19:44 UTC, where one pair of one round moved by up to 10 %: read a single run's " +
    "ratios to about 5 %. The uncounted part is there because a pair's first " +
    "seconds are not the steady state: in the run of 1 December 09:03 UTC, 27 of 90 servers (docport 14 times, the " +
    "others 13) began a pair at over 1.25 x their CPU per request of its last slices, up to 4.6 x, for up to five " +
    "seconds. This " +
    "machine slows memory-bound work on one CPU at a time for seconds on end; whole runs made one after the other caught " +
    "different stretches (the ratios of one full run's three rounds were 1.99, 1.19 and 1.82 on `GET`), and even turns " +
    "of one second taken in rotation moved the ratio of two identical builds by up to 16 % (runs before 2026-12-01). " +
    "Servers loaded together meet every stretch alike. Sharing the CPU and its caches, each runs slower than alone: " +
    "these slices compare servers, and the µs columns and the tails are the continuous runs'. Two at a time, since more " +
    "servers on one CPU narrowed the ratios (four at once put docport's `GET` at 1.12 x the bare HttpApi's CPU, two at " +
    "1.22, turns one after the other at 1.16 - 1.24).",
    "",
    rendered,
    "",
    ...fullGcPart(runs),
    ...loadStallsPart(runs)
  ]
}

const freshSection = (runs: ReadonlyArray<FreshRun>) => {
  const rendered = freshTable(runs)
  return rendered === undefined ? [] : [
    "## HTTP: a fresh process's first seconds",
    "",
    "Each round a new docport process (as `npm start` runs it, with its start-up warm-up), a new docport with " +
    "WARMUP=off and a new bare HttpApi take turns (the order rotating); as soon as the server answers and holds 10 " +
    "agents it gets GET /agents/{id} from 32 connections for 10 s. Per second: requests answered, and the p50 / p99 " +
    "of their latencies (medians over the rounds); the warm-up's gain as the ratio of the two docports' req/s; last " +
    "row: the median time from spawning the process to its port answering, which the warm-up lengthens. This " +
    "machine has slow stretches (memory-bound work at about half speed on a CPU for seconds on end) that spoil some " +
    "rounds and not others; the rounds' own lines below show which, and why there are more rounds here than elsewhere.",
    "",
    rendered,
    "",
    "Each round's runs, in the order they ran (requests answered per second):",
    "",
    freshRoundsTable(runs)!,
    "",
    ...afterClimb(runs)
  ]
}

// The line under the rounds' table: the warm-up's effect after the climb, round by round.
const afterClimb = (runs: ReadonlyArray<FreshRun>): Array<string> => {
  const ratios = afterClimbRatios(runs)
  if (ratios.every((r) => r === undefined)) return []
  const shown = ratios.map((r) => (r === undefined ? "–" : r.toFixed(2)))
  return [
    `After the climb (seconds ${CLIMB_SECONDS + 1} on), the warmed docport's requests over the unwarmed one's, round by round: ${shown.join(", ")}.`,
    ""
  ]
}

/** What the console shows at the end. */
export const consoleSummary = (r: Results) =>
  [
    ...(r.summary.comparisons.length > 0 ? ["docport / baseline (memory):", httpComparisonTable(r.summary.comparisons), ""] : []),
    ...(freshTable(r.fresh ?? []) === undefined ? [] : ["fresh process, per second:", freshTable(r.fresh ?? [])!, ""]),
    ...(httpApiTable(r.summary.comparisons) === undefined ? [] : ["docport / bare HttpApi (memory):", httpApiTable(r.summary.comparisons)!, ""]),
    ...(fullGcTable(r.http) === undefined ? [] : ["docport's tails beside V8's full collections (memory):", fullGcTable(r.http)!, ""]),
    ...(postCyclesTable(r.postCycles ?? []) === undefined ? [] : ["POST over a span of full collections (memory):", postCyclesTable(r.postCycles ?? [])!, ""]),
    ...(r.summary.backends.length > 0 ? ["docport per backend:", backendTable(r.summary.backends), ""] : []),
    ...(r.summary.port.length > 0 ? ["port, adapter vs raw client:", portTable(r.summary.port), ""] : []),
    ...(r.summary.bulk.length > 0 ? ["bulk:", bulkTable(r.summary.bulk), ""] : []),
    ...(r.stream.length > 0 ? ["stream:", streamTable(r.stream), ""] : []),
    ...((r.cluster ?? []).length > 0 ? ["WORKERS on couchdb:", clusterTable(r.cluster ?? []), ""] : []),
    ...(r.heavy !== undefined && r.heavy.length > 0 ? ["heavy calls:", heavyTable(r.heavy), ""] : []),
    `noise: ${noiseLine(r.noise)}`,
    ...r.failures.map((f) => `not measured: ${f}`)
  ].join("\n")
