import type { Vitest } from "@effect/vitest"
import { expect } from "@effect/vitest"
import { Effect } from "effect"
import { Agent, agentFromStored } from "../../src/domain/Agent.js"
import { DatabaseService } from "../../src/ports/DatabaseService.js"
import type { Document } from "../../src/ports/Document.js"
import { type BaseUrl, raw } from "../support/TestServer.js"

const AGENT_FIELDS = Object.keys(Agent.fields)

/** GET /agents as it answered when it sent the whole list at once: each agent's declared fields, as read. */
const asListed = (doc: Document) => {
  const agent = agentFromStored(doc) as Record<string, unknown>
  return Object.fromEntries(AGENT_FIELDS.flatMap((field) => (agent[field] === undefined ? [] : [[field, agent[field]]])))
}

const json = (value: unknown) => JSON.parse(JSON.stringify(value))

const AGENTS = 230
const DEPLOYMENTS = 210

/**
 * The UI reads GET /agents and GET /deployments whole. With more than two pages of each (the port
 * streams pages of 100) both are answered as they are read, and must still be the same arrays, in
 * the backend's listing order, as the list read whole through the port.
 */
export const gofannonLists = (it: Vitest.MethodsNonLive<BaseUrl | DatabaseService, true>, timeout: number) => {
  it.effect(`the UI's AgentsList and DeployedApis pages: ${AGENTS} agents and ${DEPLOYMENTS} deployments, streamed, equal the whole lists`, () =>
    Effect.gen(function*() {
      const db = yield* DatabaseService
      const run = Date.now().toString(36)
      const ids = Array.from({ length: AGENTS }, (_, i) => `streamed-${run}-${String(i).padStart(3, "0")}`)
      const names = Array.from({ length: DEPLOYMENTS }, (_, i) => `streamed-api-${run}-${i}`)
      yield* Effect.gen(function*() {
        const saved = yield* db.saveMany("agents", ids.map((id, i) => ({
          _id: id,
          name: `Agent ${i}`,
          description: `lists agent ${i}`,
          code: `def run(x):\n    return ${i}\n`.repeat(20),
          friendlyName: i < DEPLOYMENTS ? names[i] : "",
          tools: { web: ["search"] },
          inputSchema: { query: { type: "string" } },
          outputSchema: i % 2 === 0 ? { answer: { type: "string" } } : undefined,
          // Every third one as Gofannon wrote it: snake_case timestamps, defaulted fields missing.
          ...(i % 3 === 0 ? { created_at: "2026-01-01T00:00:00" } : { createdAt: "2026-11-29T00:00:00.000Z", swaggerSpecs: [], envVars: [] })
        })))
        expect(saved.every((r) => r.ok)).toBe(true)
        const deployed = yield* db.saveMany("deployments", names.map((name, i) => ({ _id: name, friendlyName: name, agentId: ids[i]! })))
        expect(deployed.every((r) => r.ok)).toBe(true)

        const agents = yield* db.listAll("agents")
        const agentsRes = yield* raw("GET", "/agents")
        expect(agentsRes.status).toBe(200)
        expect(agentsRes.headers["content-type"]).toMatch(/^application\/json/)
        expect(agentsRes.body.length).toBe(agents.length)
        expect(agentsRes.body).toEqual(json(agents.map(asListed)))

        const byId = new Map(agents.map((a) => [a._id, a] as const))
        const expected = (yield* db.listAll("deployments")).flatMap((d) => {
          const agent = typeof d.agentId === "string" ? byId.get(d.agentId) : undefined
          return agent === undefined ? [] : [{
            friendlyName: d._id,
            agentId: agent._id,
            description: typeof agent.description === "string" ? agent.description : "",
            inputSchema: agent.inputSchema ?? {},
            outputSchema: agent.outputSchema ?? {}
          }]
        })
        const deploymentsRes = yield* raw("GET", "/deployments")
        expect(deploymentsRes.status).toBe(200)
        expect(deploymentsRes.body.filter((d: any) => names.includes(d.friendlyName)).length).toBe(DEPLOYMENTS)
        expect(deploymentsRes.body).toEqual(json(expected))
      }).pipe(Effect.ensuring(Effect.ignore(Effect.zip(db.deleteMany("deployments", names), db.deleteMany("agents", ids)))))
    }), timeout * 3)
}
