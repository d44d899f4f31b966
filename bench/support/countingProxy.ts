import { Effect, type Scope } from "effect"
import { Agent, createServer, type IncomingHttpHeaders, request } from "node:http"
import * as http2 from "node:http2"
import type { AddressInfo } from "node:net"

/** A reverse proxy on 127.0.0.1 that counts the requests it forwards, by kind. */
export interface CountingProxy {
  /** http://127.0.0.1:port, to give the client instead of the server's address. */
  readonly url: string
  readonly counts: () => Record<string, number>
  readonly total: () => number
  readonly reset: () => void
}

/**
 * What kind of request this is: the DynamoDB operation (X-Amz-Target), the gRPC method (its path),
 * or the method with the path's database and document names left out (CouchDB's `_bulk_docs`...).
 */
export const requestKind = (method: string, path: string, headers: IncomingHttpHeaders): string => {
  const target = headers["x-amz-target"]
  if (typeof target === "string") return target.slice(target.indexOf(".") + 1)
  if (path.startsWith("/google.")) return path.slice(path.lastIndexOf("/") + 1)
  const segments = path.split("?")[0]!.split("/").filter((s) => s !== "")
  return `${method} /${segments.map((s) => (s.startsWith("_") ? s : "{name}")).join("/")}`
}

const tally = () => {
  let counts: Record<string, number> = {}
  return {
    add: (kind: string) => {
      counts[kind] = (counts[kind] ?? 0) + 1
    },
    counts: () => ({ ...counts }),
    total: () => Object.values(counts).reduce((a, b) => a + b, 0),
    reset: () => {
      counts = {}
    }
  }
}

const listen = (server: { listen: (port: number, host: string, cb: () => void) => unknown; address: () => unknown }) =>
  Effect.async<number>((resume) => {
    server.listen(0, "127.0.0.1", () => resume(Effect.succeed((server.address() as AddressInfo).port)))
  })

/** HTTP/1.1 (CouchDB, DynamoDB). */
const http1Proxy = (target: URL) =>
  Effect.gen(function*() {
    const counter = tally()
    const agent = new Agent({ keepAlive: true, maxSockets: 64 })
    const server = createServer((req, res) => {
      counter.add(requestKind(req.method ?? "GET", req.url ?? "/", req.headers))
      const upstream = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host }, agent },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers)
          answer.pipe(res)
        }
      )
      upstream.on("error", (error) => res.destroy(error))
      req.pipe(upstream)
    })
    yield* Effect.addFinalizer(() =>
      Effect.async<void>((resume) => {
        agent.destroy()
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
    )
    const port = yield* listen(server)
    return { url: `http://127.0.0.1:${port}`, ...counter } satisfies CountingProxy
  })

// Pseudo-headers and connection-specific headers are the proxy's own business on each side.
const forwardable = (headers: http2.IncomingHttpHeaders) =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => !name.startsWith(":") && name !== "connection"))

/** HTTP/2 without TLS (the Firestore emulator's gRPC): one stream per call, trailers carried through. */
const h2cProxy = (target: URL) =>
  Effect.gen(function*() {
    const counter = tally()
    const upstream = http2.connect(target.origin)
    upstream.on("error", () => {})
    const server = http2.createServer()
    const sessions = new Set<http2.ServerHttp2Session>()
    server.on("session", (session) => {
      sessions.add(session)
      session.on("close", () => sessions.delete(session))
    })
    server.on("stream", (stream, headers) => {
      const path = String(headers[":path"])
      counter.add(requestKind(String(headers[":method"]), path, headers))
      const call = upstream.request({ ":method": headers[":method"], ":path": path, ...forwardable(headers) })
      let trailers: http2.IncomingHttpHeaders | undefined
      call.on("response", (answer) => {
        // A trailers-only answer (a gRPC error) ends the stream with its headers.
        if (answer["grpc-status"] !== undefined) {
          stream.respond({ ":status": answer[":status"], ...forwardable(answer) }, { endStream: true })
          return
        }
        stream.respond({ ":status": answer[":status"], ...forwardable(answer) }, { waitForTrailers: true })
        call.pipe(stream)
      })
      call.on("trailers", (received) => {
        trailers = received
      })
      stream.on("wantTrailers", () => stream.sendTrailers(forwardable(trailers ?? { "grpc-status": "0" })))
      call.on("error", (error) => stream.destroy(error))
      stream.on("error", () => call.close())
      stream.pipe(call)
    })
    yield* Effect.addFinalizer(() =>
      Effect.async<void>((resume) => {
        upstream.destroy()
        for (const session of sessions) session.destroy()
        server.close(() => resume(Effect.void))
      })
    )
    const port = yield* listen(server)
    return { url: `http://127.0.0.1:${port}`, ...counter } satisfies CountingProxy
  })

export const countingProxy = (target: string, protocol: "http1" | "h2c"): Effect.Effect<CountingProxy, never, Scope.Scope> =>
  protocol === "http1" ? http1Proxy(new URL(target)) : h2cProxy(new URL(target))
