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

/**
 * Reads each agent's revision from the server again. A run ends with a request in flight on every
 * connection: a PUT among them that the server answered after the run stopped listening leaves
 * the bench a revision behind, and every later PUT of that agent a 409. Run after run on one
 * server the 409s pile up, and a 409 costs more CPU than a 200 (an error built, its stack
 * captured, its body encoded): in the run of 2 December 20:45 UTC docport's CPU per PUT climbed
 * from 207 to 265 µs over the 24 slices it served in one process, while each server paired with
 * it served 6 (bench/HISTORY.md, 3 December).
 */
export const refreshRevisions = (base: string, agents: Agents) =>
  Effect.forEach(
    agents.ids,
    (id) =>
      raw("GET", `/agents/${id}`).pipe(
        Effect.provideService(BaseUrl, base),
        Effect.flatMap((reply) =>
          reply.status === 200
            ? Effect.sync(() => agents.revs.set(id, (reply.body as { _rev: string })._rev))
            : Effect.fail(new Error(`GET /agents/${id} answered ${reply.status}, expected 200: ${reply.text.slice(0, 300)}`))
        )
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
  { id: "missing", label: "GET /agents/{id} absent (404)", agents: 1_000 },
  { id: "put", label: "PUT /agents/{id}", agents: 1_000 },
  { id: "mix", label: "80/20 GET/PUT", agents: 1_000 },
  { id: "post", label: "POST /agents", agents: 1_000 }
]
