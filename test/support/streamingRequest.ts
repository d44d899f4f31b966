import { Effect } from "effect"
import { request as httpRequest } from "node:http"
import { BaseUrl } from "./TestServer.js"

export interface StreamedResponse {
  readonly status: number
  readonly headers: Record<string, string | Array<string> | undefined>
  readonly body: any
  /** Bytes the client had written when the answer came. */
  readonly sent: number
  /** Whether the client had finished its body when the answer came. */
  readonly finished: boolean
}

export interface StreamOptions {
  readonly method?: string
  readonly path: string
  readonly headers?: Record<string, string>
  /** The body's first bytes. */
  readonly head?: string
  /** Then `chunk` written again and again, up to `total` bytes in all (with backpressure), ... */
  readonly chunk?: Buffer
  readonly total: number
  /** ... pausing this long between chunks (a slow client). */
  readonly pauseMs?: number
  /** The body's last bytes; without them the body is never finished. */
  readonly tail?: string
}

/**
 * A request whose body the test streams itself, chunk by chunk, stopping as soon as the server
 * answers: for bodies far larger than the client could hold, and for slow clients. A connection
 * the server closes while the client still writes is the expected end of an over-long body, not
 * an error, once an answer came.
 */
export const streamRequest = (options: StreamOptions) =>
  Effect.flatMap(BaseUrl, (base) =>
    Effect.async<StreamedResponse, Error>((resume) => {
      const url = new URL(base)
      let sent = 0
      let finished = false
      let answered = false
      const req = httpRequest({
        host: url.hostname,
        port: url.port,
        method: options.method ?? "POST",
        path: options.path,
        headers: { "content-type": "application/json", ...options.headers }
      }, (res) => {
        answered = true
        const at = { sent, finished }
        let text = ""
        res.setEncoding("utf8")
        res.on("data", (d) => (text += d))
        res.on("end", () => {
          let body: unknown = undefined
          try {
            body = JSON.parse(text)
          } catch {
            body = text
          }
          resume(Effect.succeed({ status: res.statusCode ?? 0, headers: res.headers, body, ...at }))
        })
      })
      req.on("error", (error) => {
        if (!answered) resume(Effect.fail(error))
      })
      const write = (data: Buffer | string) => {
        sent += Buffer.byteLength(data)
        return req.write(data)
      }
      if (options.head !== undefined) write(options.head)
      const chunk = options.chunk ?? Buffer.alloc(64 * 1024, " ")
      const pump = () => {
        while (!answered && !req.destroyed && sent + chunk.length <= options.total) {
          const more = write(chunk)
          if (options.pauseMs !== undefined) return void setTimeout(pump, options.pauseMs)
          if (!more) return void req.once("drain", pump)
        }
        if (answered || req.destroyed) return
        if (options.tail !== undefined) {
          write(options.tail)
          finished = true
          req.end()
        }
      }
      pump()
      return Effect.sync(() => req.destroy())
    }))
