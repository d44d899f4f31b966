import { Schema } from "effect"
import { idProblem } from "../ports/Validation.js"
import { JsonObject, JsonValue, optionalNullable, StoredFields } from "./Json.js"

/** A friendly name becomes the id of a deployment document, so it must be a valid id everywhere. */
export const FriendlyName = Schema.String.pipe(
  Schema.filter((name) => idProblem(name) === undefined ? undefined : `friendlyName ${idProblem(name)}`),
  Schema.maxLength(200)
).annotations({ identifier: "FriendlyName", description: "a URL-safe name under which the agent is deployed" })

export const AgentFields = {
  name: Schema.String.pipe(Schema.minLength(1)),
  description: Schema.String,
  code: Schema.String,
  docstring: optionalNullable(Schema.String),
  friendlyName: optionalNullable(FriendlyName),
  tools: optionalNullable(Schema.Record({ key: Schema.String, value: Schema.Array(Schema.String) })),
  swaggerSpecs: optionalNullable(Schema.Array(JsonValue)),
  inputSchema: optionalNullable(JsonObject),
  outputSchema: optionalNullable(JsonObject),
  invokableModels: optionalNullable(Schema.Array(JsonValue)),
  gofannonAgents: optionalNullable(Schema.Array(Schema.String)),
  composerThoughts: optionalNullable(JsonValue),
  composerModelConfig: optionalNullable(JsonObject),
  dataStoreConfig: optionalNullable(JsonValue),
  envVars: optionalNullable(Schema.Record({ key: Schema.String, value: Schema.String }))
}

export const AgentCreate = Schema.Struct(AgentFields).annotations({ identifier: "AgentCreate" })
export type AgentCreate = typeof AgentCreate.Type

/** PUT body: any subset of the fields, merged onto the stored agent; `_rev` makes the write conditional. */
export const AgentUpdate = Schema.Struct({
  ...AgentFields,
  name: Schema.optional(AgentFields.name),
  description: Schema.optional(AgentFields.description),
  code: Schema.optional(AgentFields.code),
  _rev: Schema.optional(Schema.String)
}).annotations({ identifier: "AgentUpdate" })
export type AgentUpdate = typeof AgentUpdate.Type

export const Agent = Schema.Struct({ ...StoredFields, ...AgentFields }).annotations({ identifier: "Agent" })
export type Agent = typeof Agent.Type

export const AGENTS = "agents"
