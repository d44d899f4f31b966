import type { Schema } from "effect"
import { unsafeJsonText } from "./JsonText.js"

/**
 * JSON responses for stored entities without encoding them through their schema again. They were
 * written only through that schema, so the encode would re-validate what was validated on the way
 * in, and it cost more than the JSON itself (GET /agents with 100 agents: 45 % of the server's CPU
 * went away without it). Only the fields the schema declares are sent, as the encode would.
 */
export const storedJson = <F extends Schema.Struct.Fields>(schema: Schema.Struct<F>, status = 200) => {
  const fields = new Set(Object.keys(schema.fields))
  const only = (entity: Record<string, unknown>): Record<string, unknown> => {
    const out: Record<string, unknown> = {}
    for (const field of fields) if (entity[field] !== undefined) out[field] = entity[field]
    return out
  }
  // Copying costs as much as a third of the JSON itself, and a stored entity rarely has anything to drop.
  const declared = (entity: Schema.Struct.Type<F>): Record<string, unknown> => {
    const record = entity as Record<string, unknown>
    for (const key in record) if (!fields.has(key)) return only(record)
    return record
  }
  return {
    declared,
    one: (entity: Schema.Struct.Type<F>) => unsafeJsonText(declared(entity), { status })
  }
}
