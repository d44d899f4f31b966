import { Effect } from "effect"
import type { Send, WarmupFailed } from "./LoopbackClient.js"

// Shaped like what Gofannon's UI sends (an agent from its editor, a data-store record an agent
// writes), so the schemas, encoders and domain code take the branches real requests take.
export const agentBody = (tag: string) => ({
  name: `warm-up ${tag}`,
  description: "an agent that exists only while the process warms up",
  code: "def run(city):\n    return forecast(city, days=3)\n",
  docstring: "run(city) -> forecast",
  friendlyName: `warm-up-${tag}`,
  tools: { web: ["search", "fetch"] },
  inputSchema: { type: "object", properties: { city: { type: "string" } } },
  gofannonAgents: [],
  envVars: [{ key: "UNITS", value: "metric", description: "units of the forecast" }]
})

const NAMESPACE = "warm-up"

/**
 * One pass over the routes the UI calls most, success and error answers alike, on its own agent
 * and record, which it removes again: GET/POST/PUT/DELETE /agents/{id}, GET /agents,
 * GET /deployments, the data-store record routes, /health. Returns how many requests it sent.
 */
export const warmupRound = (send: Send, tag: string): Effect.Effect<number, WarmupFailed> =>
  Effect.gen(function*() {
    const created = yield* send("POST", "/agents", "POST /agents", 201, agentBody(tag))
    const { _id: id, _rev: firstRev } = created.body as { readonly _id: string; readonly _rev: string }
    const agent = `/agents/${encodeURIComponent(id)}`
    const record = `/data-store/namespaces/${NAMESPACE}/records/notes/${tag}.md`
    const requests = [
      send("GET", agent, "GET /agents/:id", 200),
      send("PUT", agent, "PUT /agents/:id", 200, { description: `updated by ${tag}` }),
      send("PUT", agent, "PUT /agents/:id (stale _rev)", 409, { description: "stale", _rev: firstRev }),
      send("GET", "/agents", "GET /agents", 200),
      send("POST", `${agent}/deploy`, "POST /agents/:id/deploy", 201),
      send("GET", "/deployments", "GET /deployments", 200),
      send("GET", `${agent}/deployment`, "GET /agents/:id/deployment", 200),
      send("PUT", record, "PUT /data-store/.../records/*", 200, { value: { text: "notes", lines: [1, 2, 3] }, metadata: { agent: tag } }),
      send("GET", record, "GET /data-store/.../records/*", 200),
      send("GET", `/data-store/namespaces/${NAMESPACE}/records?limit=20`, "GET /data-store/.../records", 200),
      send("DELETE", record, "DELETE /data-store/.../records/*", 204),
      send("GET", "/health", "GET /health", 200),
      send("GET", `/agents/missing-${tag}`, "GET /agents/:id (unknown)", 404),
      send("POST", "/agents", "POST /agents (invalid)", 422, { name: "" }),
      send("DELETE", agent, "DELETE /agents/:id", 204)
    ]
    for (const request of requests) yield* request
    return requests.length + 1
  })
