import { Effect } from "effect"
import { BaseUrl, raw } from "../../test/support/TestServer.js"
import { agentBody, type Agents, type ScenarioId } from "./scenarioRequests.js"

export { type Agents, newAgents, type ScenarioId } from "./scenarioRequests.js"

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

export interface Scenario {
  readonly id: ScenarioId
  readonly label: string
  /** How many agents the server must hold before the scenario runs. */
  readonly agents: number
}

/**
 * In the order they run on a fresh server: the list first, while only 100 agents exist; the
 * creating scenario last, since it adds agents by the thousand.
 */
export const SCENARIOS: ReadonlyArray<Scenario> = [
  { id: "list", label: "GET /agents (100)", agents: 100 },
  { id: "get", label: "GET /agents/{id}", agents: 1_000 },
  { id: "put", label: "PUT /agents/{id}", agents: 1_000 },
  { id: "mix", label: "80/20 GET/PUT", agents: 1_000 },
  { id: "post", label: "POST /agents", agents: 1_000 }
]
