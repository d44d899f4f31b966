import { Effect } from "effect"
import { Agent, request as httpRequest } from "node:http"

const agent = new Agent({ keepAlive: true, maxSockets: 64 })

export interface Reply {
  readonly status: number
  readonly body: any
}

/** One JSON request to a bench target, outside the measured load (seeding, checks). */
export const call = (base: string, method: string, path: string, body?: unknown): Effect.Effect<Reply, Error> =>
  Effect.async<Reply, Error>((resume) => {
    const url = new URL(path, base)
    const payload = body === undefined ? undefined : JSON.stringify(body)
    const req = httpRequest(url, {
      method,
      agent,
      headers: payload === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }
    }, (res) => {
      let text = ""
      res.setEncoding("utf8")
      res.on("data", (chunk: string) => (text += chunk))
      res.on("end", () => {
        try {
          resume(Effect.succeed({ status: res.statusCode ?? 0, body: text === "" ? undefined : JSON.parse(text) }))
        } catch (error) {
          resume(Effect.fail(new Error(`${method} ${path}: ${res.statusCode} with a body that is not JSON: ${text.slice(0, 200)}`)))
        }
      })
    })
    req.on("error", (error) => resume(Effect.fail(error)))
    req.end(payload)
  })

/** Fails unless the reply has the expected status, naming what was sent and what came back. */
export const expectStatus = (method: string, path: string, expected: number) => (reply: Reply) =>
  reply.status === expected
    ? Effect.succeed(reply)
    : Effect.fail(new Error(`${method} ${path} answered ${reply.status}, expected ${expected}: ${JSON.stringify(reply.body)}`))
