import { Context, Effect, Layer } from "effect"
import { DatabaseService } from "../ports/DatabaseService.js"
import type { Conflict, DatabaseError, InvalidDocument, InvalidName, NotFound } from "../ports/Errors.js"
import { type Agent, type AgentCreate, AGENTS, type AgentUpdate } from "./Agent.js"
import { Deployments } from "./Deployments.js"
import { makeEntityStore } from "./EntityStore.js"

type Failure = DatabaseError | InvalidName | InvalidDocument

export interface AgentsShape {
  readonly create: (input: AgentCreate) => Effect.Effect<Agent, Failure>
  readonly list: Effect.Effect<ReadonlyArray<Agent>, Failure>
  readonly get: (id: string) => Effect.Effect<Agent, NotFound | Failure>
  readonly update: (id: string, patch: AgentUpdate) => Effect.Effect<Agent, NotFound | Conflict | Failure>
  /** Deletes the agent and every deployment of it. */
  readonly remove: (id: string) => Effect.Effect<void, NotFound | Conflict | Failure>
}

export class Agents extends Context.Tag("docport/Agents")<Agents, AgentsShape>() {}

export const make = Effect.gen(function*() {
  const db = yield* DatabaseService
  const deployments = yield* Deployments
  const store = makeEntityStore<AgentCreate, AgentUpdate>(db, AGENTS)

  const remove: AgentsShape["remove"] = (id) =>
    Effect.gen(function*() {
      yield* store.get(id)
      yield* deployments.undeploy(id)
      yield* db.delete(AGENTS, id)
    }).pipe(Effect.withSpan("Agents.remove"))

  return { ...store, remove } satisfies AgentsShape
})

export const layer = Layer.effect(Agents, make)
