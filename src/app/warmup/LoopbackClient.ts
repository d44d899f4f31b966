import { Data, Effect } from "effect"
import { Agent, request } from "node:http"

/** A warm-up request that did not get the answer the route gives: a defect of docport, named by route, never by body. */
export class WarmupFailed extends Data.TaggedError("WarmupFailed")<{ readonly route: string; readonly reason: string }> {
  override get message() {
    return `${this.route}: ${this.reason}`
  }
}

export interface Reply {
  readonly status: number
  readonly body: unknown
}

export type Send = (method: string, path: string, route: string, expected: number, body?: unknown) => Effect.Effect<Reply, WarmupFailed>

/**
 * Requests to one loopback port over kept-alive connections. node:http directly rather than the
 * platform's HttpClient: the client shares the process's core with the server it warms, so the
 * less it costs per request, the more of the budget goes to the server's own paths.
 */
export const loopbackClient = (port: number, connections: number) =>
  Effect.map(
    Effect.acquireRelease(Effect.sync(() => new Agent({ keepAlive: true, maxSockets: connections })), (agent) => Effect.sync(() => agent.destroy())),
    (agent): Send => (method, path, route, expected, body) =>
      Effect.async<Reply, WarmupFailed>((resume, signal) => {
        const payload = body === undefined ? undefined : JSON.stringify(body)
        const req = request({
          host: "127.0.0.1",
          port,
          method,
          path,
          agent,
          signal,
          headers: payload === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }
        }, (res) => {
          let text = ""
          res.setEncoding("utf8")
          res.on("data", (chunk: string) => (text += chunk))
          res.on("end", () => {
            if (res.statusCode !== expected) {
              return resume(Effect.fail(new WarmupFailed({ route, reason: `answered ${res.statusCode}, expected ${expected}` })))
            }
            try {
              resume(Effect.succeed({ status: expected, body: text.length > 0 ? JSON.parse(text) : undefined }))
            } catch {
              resume(Effect.fail(new WarmupFailed({ route, reason: "answered with a body that is not JSON" })))
            }
          })
          res.on("error", (error) => resume(Effect.fail(new WarmupFailed({ route, reason: error.message }))))
        })
        req.on("error", (error) => resume(Effect.fail(new WarmupFailed({ route, reason: error.message }))))
        req.end(payload)
      })
  )
