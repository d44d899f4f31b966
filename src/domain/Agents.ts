import { Context, Effect, Layer } from "effect"
import { DatabaseService } from "../ports/DatabaseService.js"
import type { DocumentPage } from "../ports/Document.js"
import type { Conflict, DatabaseError, InvalidDocument, InvalidName, NotFound } from "../ports/Errors.js"
import { type Agent, type AgentCreate, agentFromStored, AGENTS, type AgentUpdate } from "./Agent.js"
import { type AgentChain, agentChain } from "./AgentChain.js"
import { Deployments } from "./Deployments.js"
import { makeEntityStore } from "./EntityStore.js"
import { makeKeyedLock } from "./keyedLock.js"

type Failure = DatabaseError | InvalidName | InvalidDocument

export interface AgentsShape {
  /** `by`: the uid of the user creating it, kept as createdBy and updatedBy. */
  readonly create: (input: AgentCreate, by?: string) => Effect.Effect<Agent, Failure>
  readonly list: Effect.Effect<ReadonlyArray<Agent>, Failure>
  /** The agents of `list`, in its order, a page at a time, each read when asked for: what GET /agents answers with. */
  readonly pages: Effect.Effect<DocumentPage<Agent>, Failure>
  readonly get: (id: string) => Effect.Effect<Agent, NotFound | Failure>
  readonly update: (id: string, patch: AgentUpdate, by?: string) => Effect.Effect<Agent, NotFound | Conflict | Failure>
  /** Deletes the agent and every deployment of it. */
  readonly remove: (id: string) => Effect.Effect<void, NotFound | Conflict | Failure>
  /** The agents it composes through `gofannonAgents`, transitively, and the MCP servers they use. */
  readonly chain: (id: string) => Effect.Effect<AgentChain, NotFound | Failure>
}

export class Agents extends Context.Tag("docport/Agents")<Agents, AgentsShape>() {}

export const make = Effect.gen(function*() {
  const db = yield* DatabaseService
  const deployments = yield* Deployments
  const { create, get, list, pages, update } = makeEntityStore<AgentCreate, AgentUpdate>(db, AGENTS, {
    fromStored: agentFromStored,
    inTurn: yield* makeKeyedLock
  })

  // The agent goes first, its deployments after: a deploy racing this delete either claimed its
  // name before the deployments are listed here (and is removed with them) or reads the agent
  // gone after its claim (and removes its claim itself). The other order left a deployment of a
  // deleted agent holding its name.
  const remove: AgentsShape["remove"] = (id) =>
    Effect.gen(function*() {
      yield* get(id)
      yield* db.delete(AGENTS, id)
      yield* deployments.undeploy(id)
    }).pipe(Effect.withSpan("Agents.remove"))

  return { create, get, list, pages, update, remove, chain: (id) => agentChain(db, id) } satisfies AgentsShape
})

export const layer = Layer.scoped(Agents, make)
