import { HttpApiBuilder } from "@effect/platform"
import { Effect } from "effect"
import { Agents } from "../../domain/Agents.js"
import { Deployments } from "../../domain/Deployments.js"
import { DocportApi } from "./Api.js"
import { httpErrors } from "./ApiErrors.js"

export const AgentsLive = HttpApiBuilder.group(DocportApi, "agents", (handlers) =>
  Effect.gen(function*() {
    const agents = yield* Agents
    const deployments = yield* Deployments
    return handlers
      .handle("create", ({ payload }) => httpErrors(agents.create(payload)))
      .handle("list", () => httpErrors(agents.list))
      .handle("get", ({ path }) => httpErrors(agents.get(path.id)))
      .handle("update", ({ path, payload }) => httpErrors(agents.update(path.id, payload)))
      .handle("remove", ({ path }) => httpErrors(agents.remove(path.id)))
      .handle("deploy", ({ path }) => httpErrors(deployments.deploy(path.id)))
      .handle("undeploy", ({ path }) => httpErrors(deployments.undeploy(path.id)))
      .handle("deployment", ({ path }) => httpErrors(deployments.status(path.id)))
  }))
