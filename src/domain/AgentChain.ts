import { Effect, Schema } from "effect"
import type { DatabaseServiceShape } from "../ports/DatabaseService.js"
import type { Document } from "../ports/Document.js"
import type { DatabaseError, InvalidName, NotFound } from "../ports/Errors.js"
import { idProblem } from "../ports/Validation.js"
import { AGENTS } from "./Agent.js"
import { JsonValue } from "./Json.js"

/** How deep the walk goes before agents become `truncated` leaves (Gofannon's bound). */
export const MAX_CHAIN_DEPTH = 8

export const AgentNode = Schema.Struct({
  id: Schema.String,
  type: Schema.Literal("agent"),
  name: Schema.String,
  description: Schema.String,
  input_schema: JsonValue,
  output_schema: JsonValue,
  missing: Schema.Boolean,
  truncated: Schema.Boolean
})

export const McpNode = Schema.Struct({
  id: Schema.String,
  type: Schema.Literal("mcp_server"),
  url: Schema.String,
  tool_count: Schema.Number,
  tools: Schema.Array(Schema.String)
})

export const ChainEdge = Schema.Union(
  Schema.Struct({ from: Schema.String, to: Schema.String, type: Schema.Literal("calls"), cyclic: Schema.Boolean }),
  Schema.Struct({ from: Schema.String, to: Schema.String, type: Schema.Literal("uses_tools"), tools: Schema.Array(Schema.String) })
)

/** Gofannon's chain graph, as its Chain View reads it: nodes by id, edges from caller to callee. */
export const AgentChain = Schema.Struct({
  root: Schema.String,
  nodes: Schema.Record({ key: Schema.String, value: Schema.Union(AgentNode, McpNode) }),
  edges: Schema.Array(ChainEdge)
}).annotations({ identifier: "AgentChain" })
export type AgentChain = typeof AgentChain.Type

type Node = AgentChain["nodes"][string]
type Edge = AgentChain["edges"][number]

const strings = (value: unknown): ReadonlyArray<string> =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : []

const callees = (agent: Document): ReadonlyArray<string> => strings(agent.gofannonAgents)

const toolsOf = (agent: Document): ReadonlyArray<readonly [string, ReadonlyArray<string>]> => {
  const tools = agent.tools
  return tools !== null && typeof tools === "object" && !Array.isArray(tools)
    ? Object.entries(tools).map(([url, names]) => [url, strings(names)] as const)
    : []
}

const agentNode = (id: string, agent: Document | null, truncated: boolean): Node =>
  agent === null
    ? { id, type: "agent", name: "(missing)", description: "", input_schema: {}, output_schema: {}, missing: true, truncated }
    : {
      id,
      type: "agent",
      name: typeof agent.name === "string" ? agent.name : "",
      description: typeof agent.description === "string" ? agent.description : "",
      input_schema: agent.inputSchema ?? null,
      output_schema: agent.outputSchema ?? null,
      missing: false,
      truncated
    }

/**
 * The agent and every agent it reaches through `gofannonAgents`, with the MCP servers each uses.
 * The agents are read level by level, one getMany per level (at most MAX_CHAIN_DEPTH + 1 of
 * them), and the graph is walked in memory: a call back into the current path is an edge marked
 * `cyclic` and is not followed, and an agent reached twice is expanded once.
 */
export const agentChain = (db: DatabaseServiceShape, rootId: string): Effect.Effect<AgentChain, NotFound | DatabaseError | InvalidName> =>
  Effect.gen(function*() {
    const agents = new Map<string, Document | null>([[rootId, yield* db.get(AGENTS, rootId)]])
    let level: ReadonlyArray<string> = [rootId]
    for (let depth = 1; depth <= MAX_CHAIN_DEPTH + 1 && level.length > 0; depth++) {
      const next = [...new Set(level.flatMap((id) => callees(agents.get(id) ?? ({} as Document))))].filter((id) => !agents.has(id))
      // An id no backend could hold names no agent: it shows as missing instead of failing the walk.
      for (const id of next) if (idProblem(id) !== undefined) agents.set(id, null)
      const readable = next.filter((id) => !agents.has(id))
      if (readable.length > 0) for (const [id, doc] of yield* db.getMany(AGENTS, readable)) agents.set(id, doc)
      level = next
    }

    // A Map, since agent ids may be any name: "constructor" or "__proto__" in a plain object are
    // its prototype's, and a node under them was lost.
    const nodes = new Map<string, Node>()
    const edges: Array<Edge> = []
    const expanded = new Set<string>()

    const visit = (id: string, depth: number, path: ReadonlySet<string>): "cycle" | "ok" => {
      if (path.has(id)) return "cycle"
      const agent = agents.get(id) ?? null
      if (depth > MAX_CHAIN_DEPTH) {
        if (!nodes.has(id)) nodes.set(id, agentNode(id, agent, true))
        return "ok"
      }
      // Reached again within the bound: a truncated leaf from a deeper path becomes a full node.
      const known = nodes.get(id)
      if (known === undefined || (known.type === "agent" && known.truncated)) nodes.set(id, agentNode(id, agent, false))
      if (agent === null || expanded.has(id)) return "ok"
      expanded.add(id)
      for (const [url, tools] of toolsOf(agent)) {
        const mcpId = `mcp:${url}`
        if (!nodes.has(mcpId)) nodes.set(mcpId, { id: mcpId, type: "mcp_server", url, tool_count: tools.length, tools })
        edges.push({ from: id, to: mcpId, type: "uses_tools", tools })
      }
      const inPath = new Set(path).add(id)
      for (const callee of callees(agent)) {
        const outcome = visit(callee, depth + 1, inPath)
        edges.push({ from: id, to: callee, type: "calls", cyclic: outcome === "cycle" })
      }
      return "ok"
    }

    visit(rootId, 0, new Set())
    // fromEntries defines each key as the object's own, "__proto__" too.
    return { root: rootId, nodes: Object.fromEntries(nodes), edges }
  }).pipe(Effect.withSpan("Agents.chain"))
