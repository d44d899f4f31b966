/**
 * The agent routes of docport's HTTP API as plain functions over a Map, with the same observable
 * behaviour (validation, unknown fields dropped, UUID ids, revisions, conditional PUT, JSON
 * errors) and nothing else: no schemas, no effect system. Served by server.ts on node:http (the
 * baseline) and by platformServer.ts on bare @effect/platform (the framework's floor).
 */
import { randomUUID } from "node:crypto"

type Agent = Record<string, unknown> & { _id: string; _rev: string }

export interface Reply {
  readonly status: number
  readonly body?: unknown
}

const REQUIRED = ["name", "description", "code"] as const
const OPTIONAL_STRINGS = ["docstring", "friendlyName"] as const
const OPTIONAL_OBJECTS = ["tools", "inputSchema", "outputSchema", "composerModelConfig", "envVars"] as const
const OPTIONAL_ARRAYS = ["swaggerSpecs", "invokableModels", "gofannonAgents"] as const
const OPTIONAL_ANY = ["composerThoughts", "dataStoreConfig"] as const

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value)

/** The known fields of the body, or the reason it is not an agent (or an agent patch). */
const readFields = (body: unknown, partial: boolean): Record<string, unknown> | string => {
  if (!isObject(body)) return "the body must be a JSON object"
  const out: Record<string, unknown> = {}
  for (const field of REQUIRED) {
    const value = body[field]
    if (value === undefined && partial) continue
    if (typeof value !== "string") return `${field} must be a string`
    out[field] = value
  }
  if (out.name === "") return "name must not be empty"
  for (const field of OPTIONAL_STRINGS) {
    const value = body[field]
    if (value === undefined) continue
    if (value !== null && typeof value !== "string") return `${field} must be a string or null`
    out[field] = value
  }
  for (const field of OPTIONAL_OBJECTS) {
    const value = body[field]
    if (value === undefined) continue
    if (value !== null && !isObject(value)) return `${field} must be an object or null`
    out[field] = value
  }
  for (const field of OPTIONAL_ARRAYS) {
    const value = body[field]
    if (value === undefined) continue
    if (value !== null && !Array.isArray(value)) return `${field} must be an array or null`
    out[field] = value
  }
  for (const field of OPTIONAL_ANY) {
    if (body[field] !== undefined) out[field] = body[field]
  }
  return out
}

const fail = (status: number, _tag: string, message: string): Reply => ({ status, body: { _tag, message } })
const notFound = (id: string) => fail(404, "NotFound", `agents/${id} not found`)

/** Revisions as docport's memory backend makes them: generation, then a counter of writes. */
export const makeRevisions = () => {
  let writes = 0
  return (previous: string | undefined) => {
    writes += 1
    const generation = previous === undefined ? 1 : Number.parseInt(previous, 10) + 1
    return `${generation}-${writes.toString(16).padStart(8, "0")}`
  }
}

export const makeAgents = () => {
  const agents = new Map<string, Agent>()
  const nextRev = makeRevisions()

  return {
    list: (): Reply => ({ status: 200, body: Array.from(agents.values()) }),

    get: (id: string): Reply => {
      const agent = agents.get(id)
      return agent === undefined ? notFound(id) : { status: 200, body: agent }
    },

    create: (body: unknown): Reply => {
      const fields = readFields(body, false)
      if (typeof fields === "string") return fail(400, "BadRequest", fields)
      const now = new Date().toISOString()
      const id = randomUUID()
      const agent: Agent = { ...fields, createdAt: now, updatedAt: now, _id: id, _rev: nextRev(undefined) }
      agents.set(id, agent)
      return { status: 201, body: agent }
    },

    update: (id: string, body: unknown): Reply => {
      const current = agents.get(id)
      if (current === undefined) return notFound(id)
      const fields = readFields(body, true)
      if (typeof fields === "string") return fail(400, "BadRequest", fields)
      const expected = isObject(body) ? body._rev : undefined
      if (expected !== undefined && expected !== current._rev) {
        return fail(409, "Conflict", `agents/${id} has changed since revision ${String(expected)}`)
      }
      const next: Agent = { ...current, ...fields, updatedAt: new Date().toISOString(), _rev: nextRev(current._rev) }
      agents.set(id, next)
      return { status: 200, body: next }
    },

    remove: (id: string): Reply => (agents.delete(id) ? { status: 204 } : notFound(id)),

    health: (): Reply => ({ status: 200, body: { status: "healthy", database: { provider: "baseline", ok: true } } }),

    badJson: (): Reply => fail(400, "BadRequest", "the request body is not valid JSON"),

    noRoute: (method: string, path: string): Reply => fail(404, "NotFound", `no route for ${method} ${path}`)
  }
}
