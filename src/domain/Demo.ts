import { Schema } from "effect"
import { JsonObject, JsonValue, normaliseStored, optionalNullable, StoredFields } from "./Json.js"

/** Gofannon's ProviderConfig: which model composes the demo, with its parameters. */
export const ModelConfig = Schema.Struct({
  provider: Schema.String,
  model: Schema.String,
  parameters: JsonObject,
  builtInTool: optionalNullable(Schema.String)
}).annotations({ identifier: "ModelConfig" })

/** Gofannon's DeployedApi, as `GET /deployments` lists it and the demo builder keeps it. */
export const DeployedApi = Schema.Struct({
  friendlyName: Schema.String,
  agentId: Schema.String,
  description: Schema.String,
  inputSchema: JsonObject,
  outputSchema: JsonObject
}).annotations({ identifier: "DeployedApi" })
export type DeployedApi = typeof DeployedApi.Type

const code = Schema.optionalWith(Schema.String, { default: () => "" })

export const GeneratedCode = Schema.Struct({
  html: code,
  css: code,
  js: code,
  thoughts: optionalNullable(JsonValue)
}).annotations({ identifier: "GeneratedCode" })

/** Gofannon's CreateDemoAppRequest: what the demo builder saves, on create and on replace. */
export const DemoFields = {
  name: Schema.String.pipe(Schema.minLength(1, { description: "a non-empty string" })),
  description: optionalNullable(Schema.String),
  selectedApis: Schema.Array(DeployedApi),
  modelConfig: ModelConfig,
  userPrompt: Schema.String,
  generatedCode: GeneratedCode,
  composerThoughts: optionalNullable(JsonValue)
}

export const DemoCreate = Schema.Struct(DemoFields).annotations({ identifier: "DemoCreate" })
export type DemoCreate = typeof DemoCreate.Type

/** PUT body: the whole demo, which replaces the stored one; `_rev` makes the write conditional. */
export const DemoReplace = Schema.Struct({ ...DemoFields, _rev: Schema.optional(Schema.String) }).annotations({
  identifier: "DemoReplace"
})
export type DemoReplace = typeof DemoReplace.Type

export const Demo = Schema.Struct({ ...StoredFields, ...DemoFields }).annotations({ identifier: "Demo" })
export type Demo = typeof Demo.Type

export const DEMOS = "demos"

const EMPTY_CODE = { html: "", css: "", js: "" }

/**
 * A demo as stored, in the shape the UI reads: Gofannon writes `created_at`/`updated_at`, and the
 * viewer takes `generatedCode.html` apart, so a demo saved without code reads as empty code.
 * Returns the document itself when nothing needs filling in.
 */
export const demoFromStored = <D extends Record<string, unknown>>(doc: D): D =>
  normaliseStored(doc, (set) => {
    if (!Array.isArray(doc.selectedApis)) set("selectedApis", [])
    if (typeof doc.userPrompt !== "string") set("userPrompt", "")
    if (doc.generatedCode === null || typeof doc.generatedCode !== "object") set("generatedCode", EMPTY_CODE)
  })
