import type { Request } from "autocannon"

// What autocannon sends for each scenario. Kept apart from scenarios.ts, which seeds servers
// through the test client, so that the load worker (loadWorker.ts) loads nothing else.

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

export const JSON_HEADERS = { "content-type": "application/json" }

const randomId = (agents: Agents) => agents.ids[Math.floor(Math.random() * agents.ids.length)]!

const getOne = (agents: Agents): Request => ({
  setupRequest: (request) => ({ ...request, method: "GET", path: `/agents/${randomId(agents)}` })
})

// An id no agent has: every answer a 404, the path a failure takes through a server.
const getMissing = (): Request => ({
  setupRequest: (request) => ({ ...request, method: "GET", path: `/agents/missing-${Math.floor(Math.random() * 1000)}` })
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

export type ScenarioId = "get" | "post" | "put" | "list" | "mix" | "missing"

export const scenarioRequests: Record<ScenarioId, (agents: Agents) => Array<Request>> = {
  list: () => [{ method: "GET", path: "/agents" }],
  get: (agents) => [getOne(agents)],
  put: (agents) => [putOne(agents)],
  mix: (agents) => [mixed(agents, 0.8)],
  missing: () => [getMissing()],
  post: () => [{ method: "POST", path: "/agents", headers: JSON_HEADERS, body: JSON.stringify(agentBody(0)) }]
}
