import { Context, Effect, Layer } from "effect"
import { DatabaseService } from "../ports/DatabaseService.js"
import { type Conflict, DatabaseError, type InvalidDocument, type InvalidName, type NotFound } from "../ports/Errors.js"
import { validateId } from "../ports/Validation.js"
import { AGENTS } from "./Agent.js"
import {
  DEPLOYMENTS,
  type Deployment,
  type DeploymentStatus,
  FriendlyNameTaken,
  NoFriendlyName
} from "./Deployment.js"

type Failure = DatabaseError | InvalidName | InvalidDocument

export interface DeploymentsShape {
  readonly deploy: (
    agentId: string
  ) => Effect.Effect<
    { friendlyName: string; agentId: string },
    NotFound | NoFriendlyName | FriendlyNameTaken | Conflict | Failure
  >
  /** Removes every deployment of the agent; succeeds when there is none. */
  readonly undeploy: (agentId: string) => Effect.Effect<void, Failure>
  readonly status: (agentId: string) => Effect.Effect<DeploymentStatus, NotFound | Failure>
  readonly list: Effect.Effect<ReadonlyArray<Deployment>, Failure>
}

export class Deployments extends Context.Tag("docport/Deployments")<Deployments, DeploymentsShape>() {}

const toDeployment = (doc: Record<string, unknown>): Deployment => ({
  friendlyName: String(doc.friendlyName ?? doc._id),
  agentId: String(doc.agentId ?? ""),
  agentName: String(doc.agentName ?? ""),
  description: String(doc.description ?? "")
})

export const make = Effect.gen(function*() {
  const db = yield* DatabaseService
  yield* db.ensureIndex(DEPLOYMENTS, ["agentId"])

  const ofAgent = (agentId: string) => db.find(DEPLOYMENTS, { agentId })

  // deployments/{friendlyName} is written create-only: when two agents race for one name the
  // backend lets exactly one create win, and the loser sees who holds it.
  const claim = (friendlyName: string, agent: Record<string, unknown> & { _id: string }) =>
    db.save(DEPLOYMENTS, friendlyName, {
      friendlyName,
      agentId: agent._id,
      agentName: String(agent.name ?? ""),
      description: String(agent.description ?? ""),
      createdAt: new Date().toISOString()
    }, { mode: "create" }).pipe(
      Effect.asVoid,
      Effect.catchTag("Conflict", (conflict) =>
        db.get(DEPLOYMENTS, friendlyName).pipe(
          Effect.flatMap((holder) =>
            holder.agentId === agent._id
              ? Effect.void
              : Effect.fail(new FriendlyNameTaken({ friendlyName, agentId: String(holder.agentId) }))
          ),
          // The holder was undeployed between our create and our read: the name is contested, not ours.
          Effect.catchTag("NotFound", () => Effect.fail(conflict))
        ))
    )

  const deploy: DeploymentsShape["deploy"] = (agentId) =>
    Effect.gen(function*() {
      const agent = yield* db.get(AGENTS, agentId)
      const friendlyName = agent.friendlyName
      if (typeof friendlyName !== "string" || friendlyName.length === 0) return yield* new NoFriendlyName({ agentId })
      yield* claim(friendlyName, agent)
      // A renamed agent keeps one deployment: drop those under its previous names.
      const stale = (yield* ofAgent(agentId)).filter((d) => d._id !== friendlyName).map((d) => d._id)
      if (stale.length > 0) yield* db.deleteMany(DEPLOYMENTS, stale)
      return { friendlyName, agentId }
    }).pipe(Effect.withSpan("Deployments.deploy"))

  const undeploy: DeploymentsShape["undeploy"] = (agentId) =>
    validateId(agentId).pipe(
      Effect.zipRight(ofAgent(agentId)),
      Effect.flatMap((docs) => db.deleteMany(DEPLOYMENTS, docs.map((d) => d._id))),
      Effect.flatMap((results) => {
        const failed = results.filter((r) => !r.ok).map((r) => r.id)
        return failed.length === 0 ? Effect.void : Effect.fail(
          new DatabaseError({ operation: "undeploy", message: `could not remove deployments ${failed.join(", ")}` })
        )
      }),
      Effect.withSpan("Deployments.undeploy")
    )

  const status: DeploymentsShape["status"] = (agentId) =>
    Effect.gen(function*() {
      yield* db.get(AGENTS, agentId)
      const [deployment] = yield* db.find(DEPLOYMENTS, { agentId }, { limit: 1 })
      return deployment === undefined
        ? { isDeployed: false }
        : { isDeployed: true, friendlyName: String(deployment.friendlyName ?? deployment._id) }
    })

  const list = Effect.map(db.listAll(DEPLOYMENTS), (docs) => docs.map(toDeployment))

  return { deploy, undeploy, status, list } satisfies DeploymentsShape
})

export const layer = Layer.effect(Deployments, make)
