import * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as OpenApi from "@effect/platform/OpenApi"
import { Schema } from "effect"
import { Agent, AgentCreate, AgentUpdate } from "../../domain/Agent.js"
import { AgentChain } from "../../domain/AgentChain.js"
import { Demo, DemoCreate, DemoReplace } from "../../domain/Demo.js"
import { Deployment, DeploymentStatus, DeployResult } from "../../domain/Deployment.js"
import { AuthApi, SessionApi } from "../auth/AuthApi.js"
import { TooManyRequests } from "../auth/AuthErrors.js"
import { signedIn, signInSchemes } from "../auth/CurrentUser.js"
import {
  BadRequestError,
  ConflictError,
  DatabaseFailure,
  DatabaseUnavailable,
  DocumentTooLarge,
  NotFoundError,
  ValidationError
} from "./ApiErrors.js"
import { ClientLog, ClientLogged } from "./ClientLog.js"
import { DataStoreApi } from "./DataStoreApi.js"
import { readable } from "./ReadableIssue.js"
import { AdminApi, UsersApi } from "./UsersApi.js"

const IdParam = Schema.Struct({ id: Schema.String })

export const Health = Schema.Struct({
  status: Schema.Literal("healthy", "unhealthy"),
  database: Schema.Struct({ provider: Schema.String, ok: Schema.Boolean })
}).annotations({ identifier: "Health" })

export class Unhealthy extends Schema.TaggedError<Unhealthy>()("Unhealthy", {
  message: Schema.String,
  detail: Schema.String,
  status: Schema.Literal("unhealthy"),
  database: Schema.Struct({ provider: Schema.String, ok: Schema.Boolean })
}, HttpApiSchema.annotations({ status: 503 })) {}

export class HealthApi extends HttpApiGroup.make("health")
  .add(HttpApiEndpoint.get("health", "/health").addSuccess(Health).addError(Unhealthy))
{}

export class AgentsApi extends HttpApiGroup.make("agents")
  .add(HttpApiEndpoint.post("create", "/agents").setPayload(readable(AgentCreate)).addSuccess(Agent, { status: 201 }))
  .add(HttpApiEndpoint.get("list", "/agents").addSuccess(Schema.Array(Agent)))
  .add(HttpApiEndpoint.get("get", "/agents/:id").setPath(IdParam).addSuccess(Agent).addError(NotFoundError))
  .add(
    HttpApiEndpoint.put("update", "/agents/:id").setPath(IdParam).setPayload(readable(AgentUpdate)).addSuccess(Agent)
      .addError(NotFoundError).addError(ConflictError)
  )
  .add(HttpApiEndpoint.del("remove", "/agents/:id").setPath(IdParam).addError(NotFoundError).addError(ConflictError))
  .add(HttpApiEndpoint.get("chain", "/agents/:id/chain").setPath(IdParam).addSuccess(AgentChain).addError(NotFoundError))
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
  .add(HttpApiEndpoint.post("create", "/demos").setPayload(readable(DemoCreate)).addSuccess(Demo, { status: 201 }))
  .add(HttpApiEndpoint.get("list", "/demos").addSuccess(Schema.Array(Demo)))
  .add(HttpApiEndpoint.get("get", "/demos/:id").setPath(IdParam).addSuccess(Demo).addError(NotFoundError))
  .add(
    HttpApiEndpoint.put("replace", "/demos/:id").setPath(IdParam).setPayload(readable(DemoReplace)).addSuccess(Demo)
      .addError(NotFoundError).addError(ConflictError)
  )
  .add(HttpApiEndpoint.del("remove", "/demos/:id").setPath(IdParam).addError(NotFoundError).addError(ConflictError))
{}

/** Gofannon's UI reports its own events here; they become docport log lines, at a bounded rate (429 past it). */
export class ClientLogApi extends HttpApiGroup.make("clientLog")
  .add(
    HttpApiEndpoint.post("log", "/log/client").setPayload(readable(ClientLog)).addSuccess(ClientLogged, { status: 202 })
      .addError(TooManyRequests)
  )
{}

/**
 * Every data endpoint requires a principal (401 without one) and can fail with bad input (400), a
 * body that does not match its schema (422, declared once for the whole API) or a database failure
 * (500, or 503 when unreachable).
 */
export class DocportApi extends HttpApi.make("docport")
  .add(HealthApi)
  .add(AuthApi)
  .add(SessionApi)
  .add(signedIn(AgentsApi.addError(BadRequestError).addError(DocumentTooLarge).addError(DatabaseFailure).addError(DatabaseUnavailable)))
  .add(signedIn(DeploymentsApi.addError(BadRequestError).addError(DocumentTooLarge).addError(DatabaseFailure).addError(DatabaseUnavailable)))
  .add(signedIn(DemosApi.addError(BadRequestError).addError(DocumentTooLarge).addError(DatabaseFailure).addError(DatabaseUnavailable)))
  .add(signedIn(DataStoreApi))
  .add(UsersApi)
  .add(AdminApi)
  .add(ClientLogApi)
  .addError(ValidationError)
  .annotate(OpenApi.Title, "docport")
  .annotate(OpenApi.Description, "Documents of an AI-agent platform behind one database port")
  .annotate(OpenApi.Transform, signInSchemes)
{}
