import type { Request } from "autocannon"
import { Effect } from "effect"
import { BaseUrl, raw } from "../../test/support/TestServer.js"

/** What the bench knows about the agents of one server: their ids and current revisions. */
export interface Agents {
  readonly ids: Array<string>
  readonly revs: Map<string, string>
}

export const newAgents = (): Agents => ({ ids: [], revs: new Map() })

export const agentBody = (n: number) => ({
  name: `Agent ${n}`,
  description: "answers questions about the weather for a city, with a forecast for the next days",
  code: "def run(city):\n    return forecast(city, days=3)\n",
  docstring: "run(city) -> forecast",
  tools: { web: ["search", "fetch"] },
  gofannonAgents: []
})

const JSON_HEADERS = { "content-type": "application/json" }

/** Creates agents until the server holds `total` of them (through its own API, as a client would). */
export const seedAgents = (base: string, agents: Agents, total: number) =>
  Effect.forEach(
    Array.from({ length: Math.max(0, total - agents.ids.length) }, (_, i) => agents.ids.length + i),
    (n) =>
      raw("POST", "/agents", agentBody(n)).pipe(
        Effect.provideService(BaseUrl, base),
        Effect.filterOrFail(
          (reply) => reply.status === 201,
          (reply) => new Error(`POST /agents answered ${reply.status}, expected 201: ${reply.text.slice(0, 300)}`)
        ),
        Effect.map(({ body }) => {
          agents.ids.push(body._id)
          agents.revs.set(body._id, body._rev)
        })
      ),
    { concurrency: 16, discard: true }
  )

const randomId = (agents: Agents) => agents.ids[Math.floor(Math.random() * agents.ids.length)]!

const getOne = (agents: Agents): Request => ({
  setupRequest: (request) => ({ ...request, method: "GET", path: `/agents/${randomId(agents)}` })
})

// A PUT carries the revision the bench last saw, so it is a conditional write that normally
// succeeds; two connections that pick the same agent at once race, and the loser gets a 409.
const putBody = (agents: Agents, id: string) =>
  JSON.stringify({ description: `updated at ${Date.now()}`, _rev: agents.revs.get(id) })

const rememberRevision = (agents: Agents) => (status: number, body: string) => {
  if (status !== 200) return
  const { _id, _rev } = JSON.parse(body) as { _id: string; _rev: string }
  agents.revs.set(_id, _rev)
}

const putOne = (agents: Agents): Request => ({
  setupRequest: (request) => {
    const id = randomId(agents)
    return { ...request, method: "PUT", path: `/agents/${id}`, headers: JSON_HEADERS, body: putBody(agents, id) }
  },
  onResponse: rememberRevision(agents)
})

const mixed = (agents: Agents, readShare: number): Request => {
  const put = putOne(agents)
  const get = getOne(agents)
  return {
    setupRequest: (request, context) =>
      Math.random() < readShare ? get.setupRequest!(request, context) : put.setupRequest!(request, context),
    onResponse: rememberRevision(agents)
  }
}

export type ScenarioId = "get" | "post" | "put" | "list" | "mix"

export interface Scenario {
  readonly id: ScenarioId
  readonly label: string
  /** How many agents the server must hold before the scenario runs. */
  readonly agents: number
  readonly requests: (agents: Agents) => Array<Request>
}

/**
 * In the order they run on a fresh server: the list first, while only 100 agents exist; the
 * creating scenario last, since it adds agents by the thousand.
 */
export const SCENARIOS: ReadonlyArray<Scenario> = [
  { id: "list", label: "GET /agents (100)", agents: 100, requests: () => [{ method: "GET", path: "/agents" }] },
  { id: "get", label: "GET /agents/{id}", agents: 1_000, requests: (agents) => [getOne(agents)] },
  { id: "put", label: "PUT /agents/{id}", agents: 1_000, requests: (agents) => [putOne(agents)] },
  { id: "mix", label: "80/20 GET/PUT", agents: 1_000, requests: (agents) => [mixed(agents, 0.8)] },
  {
    id: "post",
    label: "POST /agents",
    agents: 1_000,
    requests: () => [{ method: "POST", path: "/agents", headers: JSON_HEADERS, body: JSON.stringify(agentBody(0)) }]
  }
]
