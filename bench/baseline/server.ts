/**
 * The baseline docport is measured against: the agent routes (agents.ts) on plain node:http.
 * Run as its own process; PORT and HOST as for docport.
 */
// First, as docport's entry point does: compared under the same runtime settings.
import "../../src/app/runtime/oneCpuGc.js"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import { makeAgents, type Reply } from "./agents.js"

const agents = makeAgents()

const send = (res: ServerResponse, { body, status }: Reply) => {
  if (body === undefined) {
    res.writeHead(status).end()
    return
  }
  const text = JSON.stringify(body)
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) }).end(text)
}

const withBody = (req: IncomingMessage, res: ServerResponse, then: (body: unknown) => Reply) => {
  let text = ""
  req.setEncoding("utf8")
  req.on("data", (chunk: string) => (text += chunk))
  req.on("end", () => {
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      return send(res, agents.badJson())
    }
    send(res, then(body))
  })
}

const route = (req: IncomingMessage, res: ServerResponse) => {
  const path = (req.url ?? "/").split("?")[0]!
  const method = req.method ?? "GET"
  if (path === "/health" && method === "GET") return send(res, agents.health())
  if (path === "/agents") {
    if (method === "GET") return send(res, agents.list())
    if (method === "POST") return withBody(req, res, agents.create)
  }
  const match = /^\/agents\/([^/]+)$/.exec(path)
  if (match !== null) {
    const id = decodeURIComponent(match[1]!)
    if (method === "GET") return send(res, agents.get(id))
    if (method === "PUT") return withBody(req, res, (body) => agents.update(id, body))
    if (method === "DELETE") return send(res, agents.remove(id))
  }
  send(res, agents.noRoute(method, path))
}

const port = Number(process.env.PORT ?? 8081)
const host = process.env.HOST ?? "127.0.0.1"
const server = createServer(route)
server.listen(port, host, () => console.log(`baseline listening on http://${host}:${port}`))
for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => server.close(() => process.exit(0)))
