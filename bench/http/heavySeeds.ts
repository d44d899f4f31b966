/** The heavy calls' data, seeded over HTTP as Gofannon's UI and agents would write it. */
import { Effect } from "effect"
import { BaseUrl, raw } from "../../test/support/TestServer.js"

export type HeavyScenarioId = "agents-500" | "deployments-200" | "records-10000" | "agents-2000"

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

export const call = (base: string, method: string, path: string, body: unknown, expected: number) =>
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

export interface HeavyScenario {
  readonly id: HeavyScenarioId
  readonly path: string
  readonly items: number
  readonly seed: (base: string) => Effect.Effect<void, Error>
}

export const HEAVY_SCENARIOS: ReadonlyArray<HeavyScenario> = [
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

