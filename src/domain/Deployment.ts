import { Schema } from "effect"

export const DEPLOYMENTS = "deployments"

/** Stored as deployments/{friendlyName}: the id itself is what makes a name unique. */
export const Deployment = Schema.Struct({
  friendlyName: Schema.String,
  agentId: Schema.String,
  agentName: Schema.String,
  description: Schema.String
}).annotations({ identifier: "Deployment" })
export type Deployment = typeof Deployment.Type

export const DeployResult = Schema.Struct({
  friendlyName: Schema.String,
  agentId: Schema.String
}).annotations({ identifier: "DeployResult" })

export const DeploymentStatus = Schema.Struct({
  isDeployed: Schema.Boolean,
  friendlyName: Schema.optional(Schema.String)
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
    return `friendlyName '${this.friendlyName}' is already deployed for agent '${this.agentId}'`
  }
}
