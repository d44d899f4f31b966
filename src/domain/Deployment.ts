import { Schema } from "effect"
import { DeployedApi } from "./Demo.js"

export const DEPLOYMENTS = "deployments"

/**
 * Stored as deployments/{friendlyName}: the id itself is what makes a name unique. What the list
 * shows of the agent (description, schemas) is read from the agent when asked, never copied here.
 */
export const Deployment = DeployedApi
export type Deployment = typeof Deployment.Type

/** Gofannon's answer to a deploy: where the agent now runs. */
export const DeployResult = Schema.Struct({
  message: Schema.String,
  endpoint: Schema.String
}).annotations({ identifier: "DeployResult" })
export type DeployResult = typeof DeployResult.Type

/** Gofannon names these two fields in snake_case, and its UI reads them so. */
export const DeploymentStatus = Schema.Struct({
  is_deployed: Schema.Boolean,
  friendly_name: Schema.optional(Schema.String)
}).annotations({ identifier: "DeploymentStatus" })
export type DeploymentStatus = typeof DeploymentStatus.Type

/** The agent has no friendlyName, so there is nothing to deploy it under. */
export class NoFriendlyName extends Schema.TaggedError<NoFriendlyName>()("NoFriendlyName", {
  agentId: Schema.String
}) {
  override get message(): string {
    return `agent '${this.agentId}' has no friendlyName; set one before deploying`
  }
}

/** The friendly name is already deployed for a different agent. */
export class FriendlyNameTaken extends Schema.TaggedError<FriendlyNameTaken>()("FriendlyNameTaken", {
  friendlyName: Schema.String,
  agentId: Schema.String
}) {
  override get message(): string {
    return `friendlyName '${this.friendlyName}' is already deployed for another agent`
  }
}

/** The friendly name cannot be a deployment's id on every backend ('/', a leading '_', too long...). */
export class UndeployableName extends Schema.TaggedError<UndeployableName>()("UndeployableName", {
  friendlyName: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    const shown = this.friendlyName.length > 60 ? `${this.friendlyName.slice(0, 60)}…` : this.friendlyName
    return `friendlyName '${shown}' cannot be deployed: it ${this.reason}; rename the agent and deploy again`
  }
}
