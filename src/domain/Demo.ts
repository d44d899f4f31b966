import { Schema } from "effect"
import { JsonObject, JsonValue, optionalNullable, StoredFields } from "./Json.js"

export const GeneratedCode = Schema.Struct({
  html: Schema.String,
  css: Schema.String,
  js: Schema.String
}).annotations({ identifier: "GeneratedCode" })

export const DemoFields = {
  name: Schema.String.pipe(Schema.minLength(1)),
  description: optionalNullable(Schema.String),
  agentId: optionalNullable(Schema.String),
  config: optionalNullable(JsonObject),
  isPublic: optionalNullable(Schema.Boolean),
  selectedApis: optionalNullable(Schema.Array(JsonValue)),
  userPrompt: optionalNullable(Schema.String),
  generatedCode: optionalNullable(GeneratedCode),
  composerThoughts: optionalNullable(JsonValue)
}

export const DemoCreate = Schema.Struct(DemoFields).annotations({ identifier: "DemoCreate" })
export type DemoCreate = typeof DemoCreate.Type

export const DemoUpdate = Schema.Struct({
  ...DemoFields,
  name: Schema.optional(DemoFields.name),
  _rev: Schema.optional(Schema.String)
}).annotations({ identifier: "DemoUpdate" })
export type DemoUpdate = typeof DemoUpdate.Type

export const Demo = Schema.Struct({ ...StoredFields, ...DemoFields }).annotations({ identifier: "Demo" })
export type Demo = typeof Demo.Type

export const DEMOS = "demos"
