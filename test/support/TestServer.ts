import { HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Context, Effect, Layer } from "effect"
import { request as httpRequest } from "node:http"
import { createServer } from "node:http"
import { type HttpLiveOptions, makeHttpLive } from "../../src/app/HttpLive.js"
import type { DatabaseService } from "../../src/ports/DatabaseService.js"

/** Where the server under test listens, e.g. http://127.0.0.1:41234 */
export class BaseUrl extends Context.Tag("test/BaseUrl")<BaseUrl, string>() {}

/** The real application on a real loopback socket, over the given database layer. */
export const testServer = <E>(database: Layer.Layer<DatabaseService, E>, options: HttpLiveOptions = {}) =>
  Layer.effect(
    BaseUrl,
    Effect.map(HttpServer.HttpServer, (server) => {
      const address = server.address
      if (address._tag !== "TcpAddress") throw new Error("expected a TCP address")
      return `http://127.0.0.1:${address.port}`
    })
  ).pipe(Layer.provide(makeHttpLive(database, NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" }), options)))

export interface RawResponse {
  readonly status: number
  readonly body: any
  readonly text: string
  readonly headers: Readonly<Record<string, string | Array<string> | undefined>>
}

/**
 * One HTTP request with the path sent exactly as written (fetch would normalise '..'),
 * answered with status and parsed JSON body.
 */
export const raw = (method: string, path: string, body?: unknown, rawBody?: string, headers: Record<string, string> = {}) =>
  Effect.flatMap(BaseUrl, (base) =>
    Effect.async<RawResponse, Error>((resume) => {
      const url = new URL(base)
      const payload = rawBody ?? (body === undefined ? undefined : JSON.stringify(body))
      const req = httpRequest({
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: {
          ...(payload === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }),
          ...headers
        }
      }, (res) => {
        let text = ""
        res.setEncoding("utf8")
        res.on("data", (chunk) => (text += chunk))
        res.on("end", () => {
          let parsed: unknown = undefined
          try {
            parsed = text.length > 0 ? JSON.parse(text) : undefined
          } catch {
            parsed = undefined
          }
          resume(Effect.succeed({ status: res.statusCode ?? 0, body: parsed, text, headers: res.headers }))
        })
      })
      req.on("error", (error) => resume(Effect.fail(error)))
      if (payload !== undefined) req.write(payload)
      req.end()
    }))
