import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { Effect } from "effect"
import { Agent } from "../../domain/Agent.js"
import { Agents } from "../../domain/Agents.js"
import { Deployments } from "../../domain/Deployments.js"
import { Authentication, currentUser } from "../auth/CurrentUser.js"
import { DocportApi } from "./Api.js"
import { httpErrors } from "./ApiErrors.js"
import { jsonPagesResponse } from "./JsonArrayStream.js"
import { unsafeJsonText } from "./JsonText.js"
import { groupInLeanContext } from "./LeanContext.js"
import { storedJson } from "./StoredJson.js"

const agent = storedJson(Agent)
const created = storedJson(Agent, 201)

export const AgentsLive = HttpApiBuilder.group(DocportApi, "agents", (handlers) =>
  Effect.gen(function*() {
    const agents = yield* Agents
    const deployments = yield* Deployments
    return handlers
      .handle("create", ({ payload }) =>
        Effect.flatMap(currentUser, (user) => httpErrors(Effect.map(agents.create(payload, user.uid), created.one))))
      .handle("list", () => httpErrors(jsonPagesResponse(agents.pages, { encode: agent.declared, what: "GET /agents" })))
      .handle("get", ({ path }) => httpErrors(Effect.map(agents.get(path.id), agent.one)))
      .handle("update", ({ path, payload }) =>
        Effect.flatMap(currentUser, (user) => httpErrors(Effect.map(agents.update(path.id, payload, user.uid), agent.one))))
      .handle("remove", ({ path }) => httpErrors(agents.remove(path.id)))
      // Written as it is: the schema's encoding of its Record builds a plain object, which drops a
      // node keyed "__proto__" (an agent's callee may be named anything).
      .handle("chain", ({ path }) => httpErrors(Effect.map(agents.chain(path.id), (chain) => unsafeJsonText(chain))))
      .handle("deploy", ({ path }) => httpErrors(deployments.deploy(path.id)))
      .handle("undeploy", ({ path }) => httpErrors(deployments.undeploy(path.id)))
      .handle("deployment", ({ path }) => httpErrors(deployments.status(path.id)))
  })).pipe(groupInLeanContext(Agents, Deployments, Authentication))
