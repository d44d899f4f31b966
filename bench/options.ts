import { parseArgs } from "node:util"
import type { ScenarioId } from "./http/scenarios.js"
import { wrkVersion } from "./http/wrkLoad.js"

export const SECTIONS = ["http", "fresh", "port", "bulk", "stream", "heavy", "cluster"] as const
export type Section = (typeof SECTIONS)[number]
export const BACKENDS = ["memory", "couchdb", "dynamodb", "firestore"] as const
export type BackendName = (typeof BACKENDS)[number]

export interface Options {
  readonly sections: ReadonlyArray<Section>
  readonly backends: ReadonlyArray<BackendName>
  readonly scenarios: ReadonlyArray<ScenarioId>
  readonly connections: number
  /** Seconds per measured HTTP run, and of the warm-up before it. */
  readonly durationS: number
  readonly warmupS: number
  readonly rounds: number
  /** Seconds of POST on docport and the bare HttpApi after the scenarios each round, over V8's full collections (http/postCycles.ts); 0: none. */
  readonly postCyclesS: number
  /** Rounds of the fresh-process section: more than the others, since one slow stretch of the machine spoils a whole round. */
  readonly freshRounds: number
  readonly portDurationS: number
  readonly portWarmupS: number
  /** A git commit (or branch, tag) whose adapters and port are measured beside the working tree's. */
  readonly portBefore: string | undefined
  /** docport at this commit, as one more contestant of the HTTP rounds on memory. */
  readonly httpBefore: string | undefined
  readonly bulkDocuments: number
  readonly bulkRounds: number
  readonly streamDocuments: number
  readonly streamBackend: BackendName
  readonly profile: boolean
  /** The numbers of workers the cluster section compares (the first is the baseline, normally 1). */
  readonly workers: ReadonlyArray<number>
  /** The heavy calls: seconds per run, connections, and the git revision of docport to compare with (undefined: none). */
  readonly heavyDurationS: number
  readonly heavyConnections: number
  readonly heavyBefore: string | undefined
  /** Also serve the baseline's routes on bare @effect/platform in the memory comparison. */
  readonly floor: boolean
  /** The memory comparison and the fresh processes with every server on one CPU and the load generator on another. */
  readonly pin: boolean
  /** What loads the HTTP scenarios' continuous runs, whose tails are judged: wrk where it is installed (http/wrkLoad.ts). */
  readonly load: "wrk" | "autocannon"
  readonly out: string
  readonly quick: boolean
}

const USAGE = `npm run bench -- [options]

  --quick                 a smoke run: 1 s per HTTP run, 1 round, smaller bulk and stream
  --sections=a,b          ${SECTIONS.join(",")} (default: all)
  --backends=a,b          ${BACKENDS.join(",")} (default: all; the HTTP comparison with the baseline always runs on memory)
  --scenarios=a,b         list,get,missing,put,mix,post (default: all)
  --rounds=N              rounds of every HTTP and port measurement (default 3)
  --fresh-rounds=N        rounds of the fresh-process section (default 5)
  --duration=S            seconds per measured HTTP run (default 10)
  --warmup=S              seconds of warm-up before each (default 3)
  --post-cycles=S         seconds of POST on docport and the bare HttpApi after the scenarios, each round,
                          long enough to hold V8's full collections (one or two in a full run; default 60; 0: none)
  --connections=N         HTTP connections (default 32)
  --port-duration=S       seconds per measured port run (default 5)
  --port-before=REF       also measure the adapters and port of this commit, side by side with the working tree's
  --http-before=REV       also run docport built at this commit in every HTTP round on memory, beside this build
  --bulk-documents=N      documents for saveMany/getMany (default 10000)
  --bulk-rounds=N         (default 3)
  --stream-documents=N    (default 100000)
  --stream-backend=NAME   the remote backend streamed besides memory (default couchdb)
  --workers=a,b           WORKERS compared in the cluster section, on couchdb (default 1,2)
  --no-pin                let the OS place the servers and the load generator in the memory comparison and the
                          fresh-process section (default: servers on the last CPU, the load generator on the first)
  --load=NAME             wrk or autocannon: what loads the HTTP scenarios' continuous runs, whose tails are judged
                          (default: wrk where it is installed, autocannon otherwise; the CPU slices are autocannon's)
  --no-floor              leave out the baseline's routes on bare @effect/platform (the framework's floor)
  --heavy-duration=S      seconds per measured heavy-call run (default 5)
  --heavy-connections=N   concurrent clients of the heavy calls (default 8)
  --heavy-before=REV      the docport commit the heavy calls are compared with (default daa4c97, before the lists
                          streamed; "none": docport alone)
  --profile               also profile docport (HTTP on memory) and each adapter (port), and report where the time goes
  --out=DIR               where the results go (default bench/results)
`

const list = <A extends string>(value: string | undefined, allowed: ReadonlyArray<A>, fallback: ReadonlyArray<A>, name: string): ReadonlyArray<A> => {
  if (value === undefined) return fallback
  const items = value.split(",").map((s) => s.trim()).filter((s) => s !== "")
  const wrong = items.filter((s) => !allowed.includes(s as A))
  if (wrong.length > 0) throw new Error(`--${name}: unknown ${wrong.join(", ")}; expected some of ${allowed.join(", ")}`)
  return items as Array<A>
}

// `zero`: for a span that may be left out, where 0 is none.
const number = (value: string | undefined, fallback: number, name: string, zero = false) => {
  if (value === undefined) return fallback
  const n = Number(value)
  if (value.trim() === "" || !Number.isFinite(n) || n < 0 || (n === 0 && !zero)) {
    throw new Error(`--${name} must be a positive number${zero ? " or 0" : ""}, not ${value}`)
  }
  return n
}

const workerCounts = (value: string | undefined): ReadonlyArray<number> => {
  if (value === undefined) return [1, 2]
  const counts = value.split(",").map((s) => Number(s.trim()))
  if (counts.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--workers takes whole numbers from 1, not ${value}`)
  return counts
}

const loadGenerator = (value: string | undefined): Options["load"] => {
  const installed = wrkVersion() !== undefined
  if (value === undefined) return installed ? "wrk" : "autocannon"
  if (value !== "wrk" && value !== "autocannon") throw new Error(`--load takes wrk or autocannon, not ${value}`)
  if (value === "wrk" && !installed) throw new Error("--load=wrk: wrk is not installed (Debian: apt-get install wrk)")
  return value
}

export const parseOptions = (argv: ReadonlyArray<string>): Options | "help" => {
  const { values } = parseArgs({
    args: [...argv],
    allowNegative: true,
    options: {
      help: { type: "boolean" },
      quick: { type: "boolean" },
      profile: { type: "boolean" },
      floor: { type: "boolean", default: true },
      pin: { type: "boolean", default: true },
      sections: { type: "string" },
      backends: { type: "string" },
      scenarios: { type: "string" },
      rounds: { type: "string" },
      "fresh-rounds": { type: "string" },
      duration: { type: "string" },
      warmup: { type: "string" },
      "post-cycles": { type: "string" },
      connections: { type: "string" },
      "port-duration": { type: "string" },
      "port-before": { type: "string" },
      "http-before": { type: "string" },
      "bulk-documents": { type: "string" },
      "bulk-rounds": { type: "string" },
      "stream-documents": { type: "string" },
      "stream-backend": { type: "string" },
      workers: { type: "string" },
      "heavy-duration": { type: "string" },
      "heavy-connections": { type: "string" },
      "heavy-before": { type: "string" },
      load: { type: "string" },
      out: { type: "string" }
    }
  })
  if (values.help) return "help"
  const quick = values.quick ?? false
  const streamBackend = list(values["stream-backend"], BACKENDS, ["couchdb"], "stream-backend")[0]!
  return {
    quick,
    profile: values.profile ?? false,
    floor: values.floor ?? true,
    pin: values.pin ?? true,
    sections: list(values.sections, SECTIONS, SECTIONS, "sections"),
    backends: list(values.backends, BACKENDS, BACKENDS, "backends"),
    scenarios: list(values.scenarios, ["list", "get", "missing", "put", "mix", "post"] as const, ["list", "get", "missing", "put", "mix", "post"], "scenarios"),
    connections: number(values.connections, 32, "connections"),
    durationS: number(values.duration, quick ? 1 : 10, "duration"),
    warmupS: number(values.warmup, quick ? 0.5 : 3, "warmup"),
    rounds: number(values.rounds, quick ? 1 : 3, "rounds"),
    postCyclesS: number(values["post-cycles"], quick ? 0 : 60, "post-cycles", true),
    freshRounds: number(values["fresh-rounds"], quick ? 1 : 5, "fresh-rounds"),
    portDurationS: number(values["port-duration"], quick ? 1 : 5, "port-duration"),
    portWarmupS: quick ? 0.3 : 1,
    portBefore: values["port-before"],
    httpBefore: values["http-before"],
    bulkDocuments: number(values["bulk-documents"], 10_000, "bulk-documents"),
    bulkRounds: number(values["bulk-rounds"], quick ? 1 : 3, "bulk-rounds"),
    streamDocuments: number(values["stream-documents"], quick ? 20_000 : 100_000, "stream-documents"),
    streamBackend,
    workers: workerCounts(values.workers),
    heavyDurationS: number(values["heavy-duration"], quick ? 1 : 5, "heavy-duration"),
    heavyConnections: number(values["heavy-connections"], 8, "heavy-connections"),
    heavyBefore: values["heavy-before"] === "none" ? undefined : values["heavy-before"] ?? "daa4c97",
    load: loadGenerator(values.load),
    out: values.out ?? "bench/results"
  }
}

export { USAGE }
