import { expect, layer } from "@effect/vitest"
import { Context, Effect, Layer, Logger, Redacted } from "effect"
import * as CouchDbDatabase from "../../src/adapters/couchdb/CouchDbDatabase.js"
import { type EchoingProxy, type ProxyMode, startEchoingProxy } from "../support/echoingProxy.js"
import { startPouchdbServer } from "../support/pouchdbServer.js"
import { raw, type RawResponse, testServer } from "../support/TestServer.js"

interface Setup {
  readonly proxy: EchoingProxy
  /** The password and the Basic credential the proxy sees in the Authorization header it echoes. */
  readonly secrets: ReadonlyArray<string>
  /** What only the backend knows: where it is and who docport is there. */
  readonly backend: ReadonlyArray<string>
}
class Proxied extends Context.Tag("test/Proxied")<Proxied, Setup>() {}

const logged: Array<string> = []
const captureLogs = Logger.replace(Logger.defaultLogger, Logger.make(({ message }) => logged.push(JSON.stringify(message))))

/** docport on a real pouchdb-server, reached through the echoing proxy. */
const ProxiedLive = Layer.unwrapScoped(Effect.gen(function*() {
  const pouchdb = yield* startPouchdbServer()
  const proxy = yield* startEchoingProxy(pouchdb.url)
  const basic = Buffer.from(`${pouchdb.username}:${pouchdb.password}`).toString("base64")
  const database = CouchDbDatabase.layer({ url: proxy.url, username: pouchdb.username, password: Redacted.make(pouchdb.password) })
  const setup: Setup = { proxy, secrets: [pouchdb.password, basic], backend: [new URL(proxy.url).host, pouchdb.username] }
  return Layer.merge(testServer(database), Layer.succeed(Proxied, setup))
}))

const agent = { name: "Secretive", description: "d", code: "c", friendlyName: `secretive-${process.pid}` }

layer(Layer.provide(ProxiedLive, captureLogs), { excludeTestServices: true, timeout: "120 seconds" })(
  "CouchDB behind a proxy that echoes credentials into its errors",
  (it) => {
    it.effect("no body and no log line carries the credential, the user or the address; 5xx bodies name the operation and nothing of the backend", () =>
      Effect.gen(function*() {
        const { backend, proxy, secrets } = yield* Proxied
        const created = yield* raw("POST", "/agents", agent)
        expect(created.status).toBe(201)
        const id = created.body._id as string
        const requests = (): Array<[string, string, unknown?]> => [
          ["GET", "/agents"],
          ["POST", "/agents", agent],
          ["GET", `/agents/${id}`],
          ["PUT", `/agents/${id}`, { description: "x" }],
          ["PUT", `/agents/${id}`, { description: "x", _rev: created.body._rev }],
          ["POST", `/agents/${id}/deploy`],
          ["GET", `/agents/${id}/deployment`],
          ["DELETE", `/agents/${id}/undeploy`],
          ["GET", "/deployments"],
          ["DELETE", `/agents/${id}`],
          ["POST", "/demos", { name: "d" }],
          ["GET", "/health"]
        ]
        const answers: Array<[string, RawResponse]> = []
        for (const mode of [500, 503, 401, 400] satisfies Array<ProxyMode>) {
          proxy.mode = mode
          for (const [method, path, body] of requests()) {
            answers.push([`${mode} ${method} ${path}`, yield* raw(method, path, body)])
          }
        }
        proxy.mode = "forward"
        const failures = answers.filter(([, res]) => res.status >= 500)
        expect(failures.length).toBeGreaterThan(30)
        for (const [what, res] of answers) {
          for (const secret of [...secrets, ...backend, "Basic", "proxy_error", "upstream"]) {
            expect(res.text, `${what} leaks '${secret}'`).not.toContain(secret)
          }
          if (res.status >= 500 && res.body._tag !== "Unhealthy") {
            // A create names the id it may be stored under (docport's own), nothing of the backend.
            expect(res.body.message, what).toMatch(
              /^the database (failed during |is unavailable: )('[a-zA-Z]+'|the create was not confirmed, and if it was stored after all it is GET \/agents\/[0-9a-f-]{36};)/
            )
          }
        }
        // The log keeps what an operator needs, without the credential or the backend's address.
        const log = logged.join("\n")
        expect(log).toContain("proxy_error")
        expect(log).toContain("COUCHDB_URL")
        for (const secret of [...secrets, ...backend]) expect(log).not.toContain(secret)
        // And the backend works again once the proxy forwards.
        expect((yield* raw("GET", "/agents")).status).toBe(200)
      }))
  }
)
