import { Effect } from "effect"
import { createServer, type Server } from "node:http"

export interface OtlpSpan {
  readonly traceId: string
  readonly spanId: string
  readonly parentSpanId?: string
  readonly name: string
  readonly attributes: ReadonlyArray<{ readonly key: string; readonly value: Record<string, unknown> }>
}

export interface Received {
  readonly serviceName: unknown
  readonly span: OtlpSpan
}

/** A small OTLP/HTTP receiver (JSON encoding, as the OpenTelemetry exporter sends it) on a loopback port. */
export const otlpReceiver = Effect.acquireRelease(
  Effect.async<{ readonly server: Server; readonly url: string; readonly received: Array<Received> }>((resume) => {
    const received: Array<Received> = []
    const server = createServer((request, response) => {
      let body = ""
      request.on("data", (chunk) => (body += chunk))
      request.on("end", () => {
        if (request.method !== "POST" || request.url !== "/v1/traces" || !String(request.headers["content-type"]).includes("json")) {
          response.writeHead(404).end()
          return
        }
        for (const resourceSpans of JSON.parse(body).resourceSpans ?? []) {
          const serviceName = resourceSpans.resource?.attributes?.find((a: { key: string }) => a.key === "service.name")?.value?.stringValue
          for (const scope of resourceSpans.scopeSpans ?? []) for (const span of scope.spans ?? []) received.push({ serviceName, span })
        }
        response.writeHead(200, { "content-type": "application/json" }).end("{}")
      })
    })
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      resume(Effect.succeed({ server, url: `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`, received }))
    })
  }),
  ({ server }) => Effect.async<void>((resume) => void server.close(() => resume(Effect.void)))
)

export const spanAttribute = (span: OtlpSpan, key: string): unknown => {
  const value = span.attributes.find((a) => a.key === key)?.value
  return value === undefined ? undefined : Object.values(value)[0]
}
