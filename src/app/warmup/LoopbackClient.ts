import { Data, Effect } from "effect"
import { Worker } from "node:worker_threads"

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

type Answer = { readonly id: number; readonly status: number; readonly text: string } | { readonly id: number; readonly error: string }

// The client runs in a worker thread, an isolate of its own. In the server's isolate its node:http
// client objects (responses read, requests written, their sockets) went through the same stream
// and http functions of Node as the server's, and V8 kept them compiled for both shapes: about 180
// of those sites stayed polymorphic for the process's life (V8's --log-ic), and GET /agents (100
// agents) took 1.07 x the CPU it takes with the client here. Plain JavaScript, so that it runs as
// it is from src/ (tests) and from dist/.
const CLIENT = `
const { parentPort, workerData } = require("node:worker_threads")
const { Agent, request } = require("node:http")
const agent = new Agent({ keepAlive: true, maxSockets: workerData.connections })
parentPort.on("message", ({ id, method, path, payload }) => {
  const fail = (error) => parentPort.postMessage({ id, error: error.message })
  const headers = payload === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }
  const req = request({ host: "127.0.0.1", port: workerData.port, method, path, agent, headers }, (res) => {
    let text = ""
    res.setEncoding("utf8")
    res.on("data", (chunk) => (text += chunk))
    res.on("end", () => parentPort.postMessage({ id, status: res.statusCode, text }))
    res.on("error", fail)
  })
  req.on("error", fail)
  req.end(payload)
})
`

/**
 * Requests to one loopback port over `connections` kept-alive connections, made by a worker
 * thread. node:http directly rather than the platform's HttpClient: the less the client costs
 * per request, the more of the budget goes to the server's own paths. A request interrupted here
 * is only forgotten; the worker, and with it every connection, ends with the scope.
 */
export const loopbackClient = (port: number, connections: number) =>
  Effect.gen(function*() {
    const pending = new Map<number, (answer: Answer) => void>()
    let next = 0
    let broken: string | undefined
    const worker = yield* Effect.acquireRelease(
      Effect.try({
        try: () => new Worker(CLIENT, { eval: true, workerData: { port, connections } }),
        // A warm-up that cannot start only costs the warmth (Warmup.ts), never the start.
        catch: (cause) => new WarmupFailed({ route: "warm-up", reason: `its client did not start: ${cause instanceof Error ? cause.message : String(cause)}` })
      }),
      (worker) => Effect.promise(() => worker.terminate())
    )
    const breakAll = (reason: string) => {
      broken = reason
      for (const [id, resume] of pending) resume({ id, error: reason })
      pending.clear()
    }
    worker.on("message", (answer: Answer) => {
      pending.get(answer.id)?.(answer)
      pending.delete(answer.id)
    })
    worker.on("error", (error) => breakAll(`the warm-up client failed: ${error.message}`))
    worker.on("exit", () => breakAll("the warm-up client stopped"))
    const send: Send = (method, path, route, expected, body) =>
      Effect.async<Reply, WarmupFailed>((resume) => {
        if (broken !== undefined) return resume(Effect.fail(new WarmupFailed({ route, reason: broken })))
        const id = next++
        pending.set(id, (answer) => {
          if ("error" in answer) return resume(Effect.fail(new WarmupFailed({ route, reason: answer.error })))
          if (answer.status !== expected) {
            return resume(Effect.fail(new WarmupFailed({ route, reason: `answered ${answer.status}, expected ${expected}` })))
          }
          try {
            resume(Effect.succeed({ status: expected, body: answer.text.length > 0 ? JSON.parse(answer.text) : undefined }))
          } catch {
            resume(Effect.fail(new WarmupFailed({ route, reason: "answered with a body that is not JSON" })))
          }
        })
        worker.postMessage({ id, method, path, payload: body === undefined ? undefined : JSON.stringify(body) })
        return Effect.sync(() => pending.delete(id))
      })
    return send
  })
