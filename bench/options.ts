import { parseArgs } from "node:util"
import type { ScenarioId } from "./http/scenarios.js"

export const SECTIONS = ["http", "fresh", "port", "bulk", "stream"] as const
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
  readonly portDurationS: number
  readonly portWarmupS: number
  readonly bulkDocuments: number
  readonly bulkRounds: number
  readonly streamDocuments: number
  readonly streamBackend: BackendName
  readonly profile: boolean
  /** Also serve the baseline's routes on bare @effect/platform in the memory comparison. */
  readonly floor: boolean
  readonly out: string
  readonly quick: boolean
}

const USAGE = `npm run bench -- [options]

  --quick                 a smoke run: 1 s per HTTP run, 1 round, smaller bulk and stream
  --sections=a,b          ${SECTIONS.join(",")} (default: all)
  --backends=a,b          ${BACKENDS.join(",")} (default: all; the HTTP comparison with the baseline always runs on memory)
  --scenarios=a,b         list,get,put,mix,post (default: all)
  --rounds=N              rounds of every HTTP and port measurement (default 3)
  --duration=S            seconds per measured HTTP run (default 10)
  --warmup=S              seconds of warm-up before each (default 3)
  --connections=N         HTTP connections (default 32)
  --port-duration=S       seconds per measured port run (default 5)
  --bulk-documents=N      documents for saveMany/getMany (default 10000)
  --bulk-rounds=N         (default 3)
  --stream-documents=N    (default 100000)
  --stream-backend=NAME   the remote backend streamed besides memory (default couchdb)
  --no-floor              leave out the baseline's routes on bare @effect/platform (the framework's floor)
  --profile               also profile docport (HTTP on memory) and each adapter (port), and report where the time goes
  --out=DIR               where the results go (default bench/results)
`

const list = <A extends string>(value: string | undefined, allowed: ReadonlyArray<A>, fallback: ReadonlyArray<A>): ReadonlyArray<A> => {
  if (value === undefined) return fallback
  const items = value.split(",").map((s) => s.trim()).filter((s) => s !== "")
  const wrong = items.filter((s) => !allowed.includes(s as A))
  if (wrong.length > 0) throw new Error(`unknown ${wrong.join(", ")}; expected some of ${allowed.join(", ")}`)
  return items as Array<A>
}

const number = (value: string | undefined, fallback: number, name: string) => {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, not ${value}`)
  return n
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
      sections: { type: "string" },
      backends: { type: "string" },
      scenarios: { type: "string" },
      rounds: { type: "string" },
      duration: { type: "string" },
      warmup: { type: "string" },
      connections: { type: "string" },
      "port-duration": { type: "string" },
      "bulk-documents": { type: "string" },
      "bulk-rounds": { type: "string" },
      "stream-documents": { type: "string" },
      "stream-backend": { type: "string" },
      out: { type: "string" }
    }
  })
  if (values.help) return "help"
  const quick = values.quick ?? false
  const streamBackend = list(values["stream-backend"], BACKENDS, ["couchdb"])[0]!
  return {
    quick,
    profile: values.profile ?? false,
    floor: values.floor ?? true,
    sections: list(values.sections, SECTIONS, SECTIONS),
    backends: list(values.backends, BACKENDS, BACKENDS),
    scenarios: list(values.scenarios, ["list", "get", "put", "mix", "post"] as const, ["list", "get", "put", "mix", "post"]),
    connections: number(values.connections, 32, "connections"),
    durationS: number(values.duration, quick ? 1 : 10, "duration"),
    warmupS: number(values.warmup, quick ? 0.5 : 3, "warmup"),
    rounds: number(values.rounds, quick ? 1 : 3, "rounds"),
    portDurationS: number(values["port-duration"], quick ? 1 : 5, "port-duration"),
    portWarmupS: quick ? 0.3 : 1,
    bulkDocuments: number(values["bulk-documents"], 10_000, "bulk-documents"),
    bulkRounds: number(values["bulk-rounds"], quick ? 1 : 3, "bulk-rounds"),
    streamDocuments: number(values["stream-documents"], quick ? 20_000 : 100_000, "stream-documents"),
    streamBackend,
    out: values.out ?? "bench/results"
  }
}

export { USAGE }
