import { Effect } from "effect"
import { createServer, request as httpRequest } from "node:http"

export type ProxyMode = "forward" | 500 | 503 | 401 | 400

export interface EchoingProxy {
  readonly url: string
  /** What the proxy does with the next requests: forward them, or fail them echoing their headers. */
  mode: ProxyMode
  /** `METHOD path` of every request it received, in order. */
  readonly seen: Array<string>
  /** When set, what the backend answered to a forwarded request (as JSON) is sent changed by it. */
  rewrite: ((path: string, answer: unknown) => unknown) | undefined
}

/**
 * A misbehaving proxy in front of a real server: it forwards requests, or answers them with an
 * error whose body echoes the request's headers (Authorization included), the way a debugging
 * proxy or a careless gateway does. Stopped when the scope closes.
 */
export const startEchoingProxy = (target: string) =>
  Effect.acquireRelease(
    Effect.async<{ proxy: EchoingProxy; close: () => void }>((resume) => {
      const upstream = new URL(target)
      const proxy: EchoingProxy = { url: "", mode: "forward", seen: [], rewrite: undefined }
      const server = createServer((req, res) => {
        proxy.seen.push(`${req.method} ${req.url}`)
        if (proxy.mode !== "forward") {
          req.resume()
          const echoed = JSON.stringify(req.headers)
          res.writeHead(proxy.mode, { "content-type": "application/json" })
          return void res.end(JSON.stringify({ error: "proxy_error", reason: `upstream refused the request ${req.method} ${req.url} with headers ${echoed}` }))
        }
        const forwarded = httpRequest({
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers
        }, (answer) => {
          const rewrite = proxy.rewrite
          if (rewrite === undefined) {
            res.writeHead(answer.statusCode ?? 502, answer.headers)
            return void answer.pipe(res)
          }
          const chunks: Array<Buffer> = []
          answer.on("data", (chunk: Buffer) => chunks.push(chunk))
          answer.on("end", () => {
            const text = JSON.stringify(rewrite(req.url ?? "", JSON.parse(Buffer.concat(chunks).toString("utf8"))))
            const { "content-length": _length, "transfer-encoding": _encoding, ...headers } = answer.headers
            res.writeHead(answer.statusCode ?? 502, { ...headers, "content-length": Buffer.byteLength(text) })
            res.end(text)
          })
        })
        forwarded.on("error", () => res.destroy())
        req.pipe(forwarded)
      })
      server.listen(0, "127.0.0.1", () => {
        const address = server.address()
        const port = typeof address === "object" && address !== null ? address.port : 0
        ;(proxy as { url: string }).url = `http://127.0.0.1:${port}`
        resume(Effect.succeed({ proxy, close: () => server.close() }))
      })
      server.on("connection", (socket) => server.once("close", () => socket.destroy()))
    }),
    ({ close }) => Effect.sync(close)
  ).pipe(Effect.map(({ proxy }) => proxy))
