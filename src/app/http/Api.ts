import { HttpApi, HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { Agent, AgentCreate, AgentUpdate } from "../../domain/Agent.js"
import { Demo, DemoCreate, DemoUpdate } from "../../domain/Demo.js"
import { Deployment, DeployResult, DeploymentStatus } from "../../domain/Deployment.js"
import { DataStoreApi } from "./DataStoreApi.js"
import { BadRequestError, ConflictError, DatabaseFailure, DatabaseUnavailable, NotFoundError } from "./ApiErrors.js"

const IdParam = Schema.Struct({ id: Schema.String })

export const Health = Schema.Struct({
  status: Schema.Literal("healthy", "unhealthy"),
  database: Schema.Struct({ provider: Schema.String, ok: Schema.Boolean })
}).annotations({ identifier: "Health" })

export class Unhealthy extends Schema.TaggedError<Unhealthy>()("Unhealthy", {
  message: Schema.String,
  status: Schema.Literal("unhealthy"),
  database: Schema.Struct({ provider: Schema.String, ok: Schema.Boolean })
}, HttpApiSchema.annotations({ status: 503 })) {}

export class HealthApi extends HttpApiGroup.make("health")
  .add(HttpApiEndpoint.get("health", "/health").addSuccess(Health).addError(Unhealthy))
{}

export class AgentsApi extends HttpApiGroup.make("agents")
  .add(HttpApiEndpoint.post("create", "/agents").setPayload(AgentCreate).addSuccess(Agent, { status: 201 }))
  .add(HttpApiEndpoint.get("list", "/agents").addSuccess(Schema.Array(Agent)))
  .add(HttpApiEndpoint.get("get", "/agents/:id").setPath(IdParam).addSuccess(Agent).addError(NotFoundError))
  .add(
    HttpApiEndpoint.put("update", "/agents/:id").setPath(IdParam).setPayload(AgentUpdate).addSuccess(Agent)
      .addError(NotFoundError).addError(ConflictError)
  )
  .add(HttpApiEndpoint.del("remove", "/agents/:id").setPath(IdParam).addError(NotFoundError).addError(ConflictError))
  .add(
    HttpApiEndpoint.post("deploy", "/agents/:id/deploy").setPath(IdParam).addSuccess(DeployResult, { status: 201 })
      .addError(NotFoundError).addError(ConflictError)
  )
  .add(HttpApiEndpoint.del("undeploy", "/agents/:id/undeploy").setPath(IdParam))
  .add(
    HttpApiEndpoint.get("deployment", "/agents/:id/deployment").setPath(IdParam).addSuccess(DeploymentStatus)
      .addError(NotFoundError)
  )
{}

export class DeploymentsApi extends HttpApiGroup.make("deployments")
  .add(HttpApiEndpoint.get("list", "/deployments").addSuccess(Schema.Array(Deployment)))
{}

export class DemosApi extends HttpApiGroup.make("demos")
  .add(HttpApiEndpoint.post("create", "/demos").setPayload(DemoCreate).addSuccess(Demo, { status: 201 }))
  .add(HttpApiEndpoint.get("list", "/demos").addSuccess(Schema.Array(Demo)))
  .add(HttpApiEndpoint.get("get", "/demos/:id").setPath(IdParam).addSuccess(Demo).addError(NotFoundError))
  .add(
    HttpApiEndpoint.put("update", "/demos/:id").setPath(IdParam).setPayload(DemoUpdate).addSuccess(Demo)
      .addError(NotFoundError).addError(ConflictError)
  )
  .add(HttpApiEndpoint.del("remove", "/demos/:id").setPath(IdParam).addError(NotFoundError).addError(ConflictError))
{}

/** Every data endpoint can fail with bad input (400) or a database failure (500, or 503 when unreachable). */
export class DocportApi extends HttpApi.make("docport")
  .add(HealthApi)
  .add(AgentsApi.addError(BadRequestError).addError(DatabaseFailure).addError(DatabaseUnavailable))
  .add(DeploymentsApi.addError(BadRequestError).addError(DatabaseFailure).addError(DatabaseUnavailable))
  .add(DemosApi.addError(BadRequestError).addError(DatabaseFailure).addError(DatabaseUnavailable))
  .add(DataStoreApi)
  .annotate(OpenApi.Title, "docport")
  .annotate(OpenApi.Description, "Documents of an AI-agent platform behind one database port")
{}
