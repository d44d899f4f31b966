import { Chunk, Context, Effect, Layer, Option, Stream } from "effect"
import { DatabaseService } from "../ports/DatabaseService.js"
import type { Document } from "../ports/Document.js"
import { Conflict, DatabaseError, type InvalidDocument, type InvalidName, type NotFound } from "../ports/Errors.js"
import { idProblem, validateId } from "../ports/Validation.js"
import { AGENTS } from "./Agent.js"
import {
  DEPLOYMENTS,
  type Deployment,
  type DeploymentStatus,
  type DeployResult,
  FriendlyNameTaken,
  NoFriendlyName,
  UndeployableName
} from "./Deployment.js"

type Failure = DatabaseError | InvalidName | InvalidDocument

export interface DeploymentsShape {
  readonly deploy: (
    agentId: string
  ) => Effect.Effect<DeployResult, NotFound | NoFriendlyName | UndeployableName | FriendlyNameTaken | Conflict | Failure>
  /** Removes every deployment of the agent; succeeds when there is none. */
  readonly undeploy: (agentId: string) => Effect.Effect<void, Failure>
  readonly status: (agentId: string) => Effect.Effect<DeploymentStatus, NotFound | Failure>
  /** Every deployment with its agent's current description and schemas; deployments of deleted agents are removed. */
  readonly list: Effect.Effect<ReadonlyArray<Deployment>, Failure>
  /** The same as `list`, a page of deployments (and one getMany of their agents) at a time. */
  readonly stream: Stream.Stream<Deployment, Failure>
}

export class Deployments extends Context.Tag("docport/Deployments")<Deployments, DeploymentsShape>() {}

/** Tries of a deploy whose agent is renamed, or whose name is freed, while it deploys. */
const DEPLOY_ATTEMPTS = 5

type Claim = "deployed" | "already" | "contested"

const endpointOf = (friendlyName: string) => `/rest/${friendlyName}`

// "café" typed as one letter é or as e and a combining accent looks the same and is the same
// text to Unicode, but would be two deployments: the second, another user's, would answer at a
// name no one can tell from the first. Only the composed form (what keyboards type) deploys.
const notComposed = (friendlyName: string): string | undefined =>
  friendlyName === friendlyName.normalize("NFC")
    ? undefined
    : "is not in Unicode's composed form (NFC): the same name spelled another way would be another endpoint"

const jsonObject = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value) ? value as Record<string, unknown> : {}

const agentIdOf = (deployment: Document): string | undefined => {
  const agentId = deployment.agentId
  return typeof agentId === "string" && idProblem(agentId) === undefined ? agentId : undefined
}

export const make = Effect.gen(function*() {
  const db = yield* DatabaseService
  yield* db.ensureIndex(DEPLOYMENTS, ["agentId"])

  const ofAgent = (agentId: string) => db.find(DEPLOYMENTS, { agentId })

  // deployments/{friendlyName} is written create-only: when two agents race for one name the
  // backend lets exactly one create win, and the loser sees who holds it. A holder whose agent is
  // gone (deleted while a deploy of it was under way) is removed rather than keeping the name
  // taken until the next list: the claim is then "contested" and tried again.
  const claim = (friendlyName: string, agentId: string): Effect.Effect<Claim, FriendlyNameTaken | Failure> =>
    db.save(DEPLOYMENTS, friendlyName, { friendlyName, agentId, createdAt: new Date().toISOString() }, { mode: "create" }).pipe(
      Effect.as<Claim>("deployed"),
      Effect.catchTag("Conflict", () =>
        Effect.flatMap(
          Effect.option(db.get(DEPLOYMENTS, friendlyName)),
          (found): Effect.Effect<Claim, FriendlyNameTaken | Failure> => {
            if (Option.isNone(found)) return Effect.succeed("contested")
            const holder = found.value
            if (holder.agentId === agentId) return Effect.succeed("already")
            const holderAgent = agentIdOf(holder)
            if (holderAgent === undefined) return removeOrphan(holder)
            return db.get(AGENTS, holderAgent).pipe(
              Effect.zipRight(Effect.fail(new FriendlyNameTaken({ friendlyName, agentId: holderAgent }))),
              Effect.catchTag("NotFound", () => removeOrphan(holder))
            )
          }
        ))
    )

  const removeOrphan = (holder: Document): Effect.Effect<Claim, Failure> =>
    db.delete(DEPLOYMENTS, holder._id, { expectedRev: holder._rev }).pipe(
      Effect.catchTags({ NotFound: () => Effect.void, Conflict: () => Effect.void }),
      Effect.as<Claim>("contested")
    )

  // One try: read the agent, claim its name, then drop its deployments under other names. A try
  // that finds its name no longer the agent's (renamed since it was read) gives way to the next
  // one, which claims the new name: dropping the name it claimed would leave the agent with none.
  // The name is checked after the deployments are listed: a deployment listed under a newer name
  // was claimed by a deploy that read the agent renamed, so this read sees the rename too.
  const deployOnce = (agentId: string) =>
    Effect.gen(function*() {
      const agent = yield* db.get(AGENTS, agentId)
      const friendlyName = agent.friendlyName
      if (typeof friendlyName !== "string" || friendlyName.length === 0) return yield* new NoFriendlyName({ agentId })
      const problem = idProblem(friendlyName) ?? notComposed(friendlyName)
      if (problem !== undefined) return yield* new UndeployableName({ friendlyName, reason: problem })
      const outcome = yield* claim(friendlyName, agentId)
      if (outcome === "contested") return Option.none<DeployResult>()
      const deployed = yield* ofAgent(agentId)
      // Deleted meanwhile: its delete may have listed its deployments before this claim.
      const current = yield* db.get(AGENTS, agentId).pipe(
        Effect.tapErrorTag("NotFound", () => undeploy(agentId))
      )
      if (current.friendlyName !== friendlyName) return Option.none<DeployResult>()
      const stale = deployed.filter((d) => d._id !== friendlyName).map((d) => d._id)
      if (stale.length > 0) yield* db.deleteMany(DEPLOYMENTS, stale)
      return Option.some<DeployResult>({
        message: outcome === "deployed" ? "Agent deployed successfully" : "Agent is already deployed",
        endpoint: endpointOf(friendlyName)
      })
    })

  const deploy: DeploymentsShape["deploy"] = (agentId) =>
    Effect.gen(function*() {
      for (let attempt = 1; attempt <= DEPLOY_ATTEMPTS; attempt++) {
        const result = yield* deployOnce(agentId)
        if (Option.isSome(result)) return result.value
      }
      return yield* new Conflict({ collection: AGENTS, id: agentId })
    }).pipe(Effect.withSpan("Deployments.deploy"))

  const removeAll = (operation: string, ids: ReadonlyArray<string>) =>
    Effect.flatMap(db.deleteMany(DEPLOYMENTS, ids), (results) => {
      const failed = results.filter((r) => !r.ok).map((r) => r.id)
      return failed.length === 0 ? Effect.void : Effect.fail(
        new DatabaseError({ operation, message: `could not remove deployments ${failed.join(", ")}` })
      )
    })

  const undeploy: DeploymentsShape["undeploy"] = (agentId) =>
    validateId(agentId).pipe(
      Effect.zipRight(ofAgent(agentId)),
      Effect.flatMap((docs) => removeAll("undeploy", docs.map((d) => d._id))),
      Effect.withSpan("Deployments.undeploy")
    )

  const status: DeploymentsShape["status"] = (agentId) =>
    Effect.gen(function*() {
      yield* db.get(AGENTS, agentId)
      const [deployment] = yield* db.find(DEPLOYMENTS, { agentId }, { limit: 1 })
      return deployment === undefined ? { is_deployed: false } : { is_deployed: true, friendly_name: deployment._id }
    }).pipe(Effect.withSpan("Deployments.status"))

  // One page of deployments joined to their agents in one getMany.
  const joinPage = (deployments: ReadonlyArray<Document>) =>
    Effect.gen(function*() {
      const agentIds = [...new Set(deployments.flatMap((d) => agentIdOf(d) ?? []))]
      const agents = agentIds.length === 0 ? new Map<string, Document | null>() : yield* db.getMany(AGENTS, agentIds)
      const listed: Array<Deployment> = []
      const orphans: Array<string> = []
      for (const deployment of deployments) {
        const agentId = agentIdOf(deployment)
        const agent = agentId === undefined ? null : agents.get(agentId) ?? null
        if (agentId === undefined || agent === null) {
          orphans.push(deployment._id)
          continue
        }
        listed.push({
          friendlyName: deployment._id,
          agentId,
          description: typeof agent.description === "string" ? agent.description : "",
          inputSchema: jsonObject(agent.inputSchema),
          outputSchema: jsonObject(agent.outputSchema)
        })
      }
      // As Gofannon does, a deployment whose agent is gone heals itself; failing to remove it only
      // costs the same attempt on the next list, so it is logged rather than failing the answer.
      // Removing it behind the read position does not move the pages still to come.
      if (orphans.length > 0) {
        yield* removeAll("removeOrphanDeployments", orphans).pipe(
          Effect.tap(() => Effect.logInfo(`removed ${orphans.length} deployment(s) whose agent no longer exists`)),
          Effect.catchAll((error) => Effect.logWarning(`could not remove orphan deployments: ${error.message}`))
        )
      }
      return Chunk.unsafeFromArray(listed)
    })

  const stream: DeploymentsShape["stream"] = db.stream(DEPLOYMENTS).pipe(
    Stream.mapChunksEffect((page) => joinPage(Chunk.toReadonlyArray(page))),
    Stream.withSpan("Deployments.stream")
  )

  const list: DeploymentsShape["list"] = Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray).pipe(
    Effect.withSpan("Deployments.list")
  )

  return { deploy, undeploy, status, list, stream } satisfies DeploymentsShape
})

export const layer = Layer.effect(Deployments, make)
