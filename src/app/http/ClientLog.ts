import { Schema } from "effect"
import { JsonObject } from "../../domain/Json.js"

/** Gofannon's ClientLogPayload, as its observabilityService sends it. */
export const ClientLog = Schema.Struct({
  eventType: Schema.String,
  message: Schema.String,
  level: Schema.optionalWith(Schema.String, { default: () => "INFO" }),
  metadata: Schema.optional(Schema.NullOr(JsonObject))
}).annotations({ identifier: "ClientLog" })
export type ClientLog = typeof ClientLog.Type

export const ClientLogged = Schema.Struct({ status: Schema.Literal("logged") }).annotations({ identifier: "ClientLogged" })
