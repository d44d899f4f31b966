import { Schema } from "effect"
import { JsonObject, JsonValue, normaliseStored, optionalNullable, StoredFields } from "./Json.js"

/**
 * Any string, as in Gofannon: the editor derives it from the agent's name (" beta" gives "_beta"),
 * and an agent must save whatever its name. Deploying makes it the id of a deployment document, so
 * only a name that is a valid id everywhere can be deployed (Deployments.deploy says why not).
 * An empty one means "none yet", as in Gofannon, where the editor saves agents before naming them.
 */
export const FriendlyName = Schema.String.annotations({
  identifier: "FriendlyName",
  description:
    "the name under which the agent is deployed; deploying needs a valid document id (no '/', no leading '_', at most 512 bytes) in Unicode's composed form (NFC)"
})

/** Gofannon's AgentEnvVar: plaintext per-agent settings, not secrets. */
export const EnvVar = Schema.Struct({
  key: Schema.String,
  value: Schema.String,
  description: optionalNullable(Schema.String)
}).annotations({ identifier: "AgentEnvVar" })
export type EnvVar = typeof EnvVar.Type

export const AgentFields = {
  name: Schema.String.pipe(Schema.minLength(1, { description: "a non-empty string" })),
  description: Schema.String,
  code: Schema.String,
  docstring: optionalNullable(Schema.String),
  friendlyName: optionalNullable(FriendlyName),
  // Not null, as in Gofannon (422 there too): the editor reads `agent.tools[url]` and throws on null.
  tools: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Array(Schema.String) })),
  swaggerSpecs: optionalNullable(Schema.Array(JsonValue)),
  inputSchema: optionalNullable(JsonObject),
  outputSchema: optionalNullable(JsonObject),
  invokableModels: optionalNullable(Schema.Array(JsonValue)),
  gofannonAgents: optionalNullable(Schema.Array(Schema.String)),
  composerThoughts: optionalNullable(JsonValue),
  composerModelConfig: optionalNullable(JsonObject),
  dataStoreConfig: optionalNullable(JsonValue),
  envVars: Schema.optional(Schema.Array(EnvVar))
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

// Gofannon's Agent model fills these when absent, and its UI relies on them being lists and maps.
const LIST_DEFAULTS = ["swaggerSpecs", "gofannonAgents", "dataStoreConfig", "envVars"] as const

/**
 * An agent as stored, in the shape the UI reads, whoever wrote it: Gofannon's older documents keep
 * `created_at`/`updated_at` and may lack its defaulted fields; docport's first envVars were a map.
 * Returns the document itself when nothing needs filling in, as for every agent docport wrote.
 */
export const agentFromStored = <D extends Record<string, unknown>>(doc: D): D =>
  normaliseStored(doc, (set) => {
    // null too: docport stored a null tools or envVars before refusing them, and a null list
    // (which Gofannon's model takes too) made the editor throw where it reads one unguarded.
    if (doc.tools == null) set("tools", {})
    for (const field of LIST_DEFAULTS) if (doc[field] == null) set(field, [])
    const envVars = doc.envVars
    if (envVars !== null && typeof envVars === "object" && !Array.isArray(envVars)) {
      set("envVars", Object.entries(envVars).map(([key, value]) => ({ key, value: String(value) })))
    }
  })
