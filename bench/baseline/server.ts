/**
 * The baseline docport is measured against: the agent routes of docport's HTTP API on plain
 * node:http with a Map, with the same observable behaviour (validation, unknown fields dropped,
 * UUID ids, revisions, conditional PUT, JSON errors) and nothing else: no framework, no schemas,
 * no effect system. Run as its own process: PORT and HOST as for docport.
 */
import { randomUUID } from "node:crypto"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"

type Agent = Record<string, unknown> & { _id: string; _rev: string }

const REQUIRED = ["name", "description", "code"] as const
const OPTIONAL_STRINGS = ["docstring", "friendlyName"] as const
const OPTIONAL_OBJECTS = ["tools", "inputSchema", "outputSchema", "composerModelConfig", "envVars"] as const
const OPTIONAL_ARRAYS = ["swaggerSpecs", "invokableModels", "gofannonAgents"] as const
const OPTIONAL_ANY = ["composerThoughts", "dataStoreConfig"] as const

const agents = new Map<string, Agent>()
let writes = 0

const nextRev = (previous: string | undefined) => {
  writes += 1
  const generation = previous === undefined ? 1 : Number.parseInt(previous, 10) + 1
  return `${generation}-${writes.toString(16).padStart(8, "0")}`
}

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

const send = (res: ServerResponse, status: number, body?: unknown) => {
  if (body === undefined) {
    res.writeHead(status).end()
    return
  }
  const text = JSON.stringify(body)
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) }).end(text)
}

const fail = (res: ServerResponse, status: number, _tag: string, message: string) => send(res, status, { _tag, message })

const readJson = (req: IncomingMessage): Promise<unknown> =>
  new Promise((resolve, reject) => {
    let text = ""
    req.setEncoding("utf8")
    req.on("data", (chunk: string) => (text += chunk))
    req.on("end", () => {
      try {
        resolve(JSON.parse(text))
      } catch (error) {
        reject(error)
      }
    })
    req.on("error", reject)
  })

const create = (res: ServerResponse, body: unknown) => {
  const fields = readFields(body, false)
  if (typeof fields === "string") return fail(res, 400, "BadRequest", fields)
  const now = new Date().toISOString()
  const id = randomUUID()
  const agent: Agent = { ...fields, createdAt: now, updatedAt: now, _id: id, _rev: nextRev(undefined) }
  agents.set(id, agent)
  send(res, 201, agent)
}

const update = (res: ServerResponse, id: string, body: unknown) => {
  const current = agents.get(id)
  if (current === undefined) return fail(res, 404, "NotFound", `agents/${id} not found`)
  const fields = readFields(body, true)
  if (typeof fields === "string") return fail(res, 400, "BadRequest", fields)
  const expected = isObject(body) ? body._rev : undefined
  if (expected !== undefined && expected !== current._rev) {
    return fail(res, 409, "Conflict", `agents/${id} has changed since revision ${String(expected)}`)
  }
  const next: Agent = { ...current, ...fields, updatedAt: new Date().toISOString(), _rev: nextRev(current._rev) }
  agents.set(id, next)
  send(res, 200, next)
}

const withBody = (req: IncomingMessage, res: ServerResponse, then: (body: unknown) => void) =>
  readJson(req).then(then, () => fail(res, 400, "BadRequest", "the request body is not valid JSON"))

const route = (req: IncomingMessage, res: ServerResponse) => {
  const path = (req.url ?? "/").split("?")[0]!
  const method = req.method ?? "GET"
  if (path === "/health" && method === "GET") {
    return send(res, 200, { status: "healthy", database: { provider: "baseline", ok: true } })
  }
  if (path === "/agents") {
    if (method === "GET") return send(res, 200, Array.from(agents.values()))
    if (method === "POST") return withBody(req, res, (body) => create(res, body))
  }
  const match = /^\/agents\/([^/]+)$/.exec(path)
  if (match !== null) {
    const id = decodeURIComponent(match[1]!)
    if (method === "GET") {
      const agent = agents.get(id)
      return agent === undefined ? fail(res, 404, "NotFound", `agents/${id} not found`) : send(res, 200, agent)
    }
    if (method === "PUT") return withBody(req, res, (body) => update(res, id, body))
    if (method === "DELETE") {
      if (!agents.delete(id)) return fail(res, 404, "NotFound", `agents/${id} not found`)
      return send(res, 204)
    }
  }
  fail(res, 404, "NotFound", `no route for ${method} ${path}`)
}

const port = Number(process.env.PORT ?? 8081)
const host = process.env.HOST ?? "127.0.0.1"
const server = createServer(route)
server.listen(port, host, () => console.log(`baseline listening on http://${host}:${port}`))
for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => server.close(() => process.exit(0)))
