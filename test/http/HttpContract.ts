import { HttpApiClient, type HttpClient } from "@effect/platform"
import { expect, layer, type Vitest } from "@effect/vitest"
import { Effect, Either, type Layer } from "effect"
import { DocportApi } from "../../src/app/http/Api.js"
import { BaseUrl, raw } from "../support/TestServer.js"

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
let counter = 0
const unique = (prefix: string) => `${prefix}-${process.pid}-${Date.now().toString(36)}-${(counter++).toString(36)}`

const agentBody = (extra: Record<string, unknown> = {}) => ({
  name: "Weather agent",
  description: "tells the weather",
  code: "print('sunny')",
  ...extra
})

const createAgent = (extra: Record<string, unknown> = {}) =>
  Effect.map(raw("POST", "/agents", agentBody(extra)), (res) => {
    expect(res.status).toBe(201)
    return res.body as { _id: string; _rev: string; [k: string]: unknown }
  })

/** An error body: JSON with `_tag`, a readable `message` and the `detail` Gofannon's UI shows, nothing internal. */
const expectErrorBody = (body: any, tag?: string) => {
  expect(typeof body?._tag).toBe("string")
  if (tag !== undefined) expect(body._tag).toBe(tag)
  expect(typeof body.message).toBe("string")
  expect(body.message.length).toBeGreaterThan(0)
  expect(typeof body.detail).toBe("string")
  expect(body.detail.length).toBeGreaterThan(0)
  expect(body.detail).not.toContain("\n")
  expect(JSON.stringify(body)).not.toMatch(/"cause"|stack|at Object\./)
}

/**
 * The HTTP contract of DESIGN.md, against the real server on a loopback socket. Written once, run
 * on every backend (test/http/<backend>.test.ts, beside Gofannon's UI sequences on the same server).
 */export const httpContract = <E, R = never>(
  name: string,
  server: Layer.Layer<BaseUrl | HttpClient.HttpClient | R, E>,
  timeout = 60_000,
  more: (it: Vitest.MethodsNonLive<BaseUrl | HttpClient.HttpClient | R, true>) => void = () => {}
) =>
  layer(server, { timeout: "180 seconds", excludeTestServices: true })(
    `HTTP API: ${name}`,
    (it) => {
      it.effect("GET /health reports the provider", () =>
        Effect.gen(function*() {
          const res = yield* raw("GET", "/health")
          expect(res.status).toBe(200)
          expect(res.body).toEqual({ status: "healthy", database: { provider: name, ok: true } })
        }), timeout)

      it.effect("POST /agents creates with a server-made UUID, revision and timestamps, dropping unknown fields", () =>
        Effect.gen(function*() {
          const res = yield* raw("POST", "/agents", agentBody({ tools: { web: ["search"] }, envVars: [{ key: "A", value: "1" }], junk: 1 }))
          expect(res.status).toBe(201)
          expect(res.body._id).toMatch(UUID)
          expect(typeof res.body._rev).toBe("string")
          expect(Date.parse(res.body.createdAt)).not.toBeNaN()
          expect(res.body.updatedAt).toBe(res.body.createdAt)
          expect(res.body.tools).toEqual({ web: ["search"] })
          expect(res.body).not.toHaveProperty("junk")
          const got = yield* raw("GET", `/agents/${res.body._id}`)
          expect(got.status).toBe(200)
          expect(got.body).toEqual(res.body)
        }), timeout)

      it.effect("POST /agents: malformed JSON is 400; wrong types and missing fields are 422 with a JSON error", () =>
        Effect.gen(function*() {
          const malformed = yield* raw("POST", "/agents", undefined, "{not json")
          expect(malformed.status).toBe(400)
          expectErrorBody(malformed.body)
          for (
            const bad of [
              { ...agentBody(), name: 42 },
              { ...agentBody(), tools: { web: "search" } },
              { ...agentBody(), envVars: { A: "1" } },
              { ...agentBody(), envVars: [{ key: "A", value: 1 }] },
              { name: "only a name" },
              [agentBody()],
              "a string",
              null,
              { ...agentBody(), name: "" }
            ]
          ) {
            const res = yield* raw("POST", "/agents", bad)
            expect(res.status, JSON.stringify(bad)).toBe(422)
            expectErrorBody(res.body)
          }
        }), timeout)

      it.effect("GET /agents lists the created agents", () =>
        Effect.gen(function*() {
          const a = yield* createAgent({ name: unique("list") })
          const res = yield* raw("GET", "/agents")
          expect(res.status).toBe(200)
          expect(Array.isArray(res.body)).toBe(true)
          expect(res.body.find((x: any) => x._id === a._id)).toEqual(a)
        }), timeout)

      it.effect("GET /agents/{id} of an unknown agent is 404 with a JSON error", () =>
        Effect.gen(function*() {
          const res = yield* raw("GET", "/agents/00000000-0000-0000-0000-000000000000")
          expect(res.status).toBe(404)
          expectErrorBody(res.body, "NotFound")
        }), timeout)

      it.effect("PUT /agents/{id} merges, keeps createdAt, makes a new _rev; a stale _rev is 409", () =>
        Effect.gen(function*() {
          const a = yield* createAgent({ docstring: "keep me" })
          const res = yield* raw("PUT", `/agents/${a._id}`, { description: "changed", _rev: a._rev })
          expect(res.status).toBe(200)
          expect(res.body).toMatchObject({ _id: a._id, name: a.name, description: "changed", docstring: "keep me" })
          expect(res.body._rev).not.toBe(a._rev)
          expect(res.body.createdAt).toBe(a.createdAt)
          const stale = yield* raw("PUT", `/agents/${a._id}`, { description: "lost", _rev: a._rev })
          expect(stale.status).toBe(409)
          expectErrorBody(stale.body, "Conflict")
          const withoutRev = yield* raw("PUT", `/agents/${a._id}`, { code: "print(1)" })
          expect(withoutRev.status).toBe(200)
          expect(withoutRev.body).toMatchObject({ description: "changed", code: "print(1)" })
          const got = yield* raw("GET", `/agents/${a._id}`)
          expect(got.body).toEqual(withoutRev.body)
          const missing = yield* raw("PUT", "/agents/00000000-0000-0000-0000-000000000000", { name: "x" })
          expect(missing.status).toBe(404)
          const invalid = yield* raw("PUT", `/agents/${a._id}`, { name: 5 })
          expect(invalid.status).toBe(422)
          expectErrorBody(invalid.body)
        }), timeout)

      it.effect("a hundred concurrent PUTs without _rev all succeed: no 409 and no 503 without a _rev", () =>
        Effect.gen(function*() {
          const a = yield* createAgent()
          const writers = Array.from({ length: 100 }, (_, i) => ({ description: `writer ${i}` }))
          const results = yield* Effect.all(writers.map((change) => raw("PUT", `/agents/${a._id}`, change)), {
            concurrency: "unbounded"
          })
          expect(results.map((r) => r.status)).toEqual(writers.map(() => 200))
          const final = (yield* raw("GET", `/agents/${a._id}`)).body
          expect(writers.map((w) => w.description)).toContain(final.description)
        }), timeout)

      it.effect("concurrent PUTs without _rev of different fields are all kept", () =>
        Effect.gen(function*() {
          const a = yield* createAgent()
          const changes = [
            { description: "d2" },
            { code: "c2" },
            { docstring: "s2" },
            { composerThoughts: ["t2"] },
            { dataStoreConfig: { ns: "x" } },
            { swaggerSpecs: [{ url: "u" }] }
          ]
          const results = yield* Effect.all(changes.map((change) => raw("PUT", `/agents/${a._id}`, change)), {
            concurrency: "unbounded"
          })
          expect(results.map((r) => r.status)).toEqual(changes.map(() => 200))
          const final = (yield* raw("GET", `/agents/${a._id}`)).body
          expect(final).toMatchObject(Object.assign({}, ...changes))
        }), timeout)

      it.effect("DELETE /agents/{id} is 204, then 404; it removes the agent's deployments", () =>
        Effect.gen(function*() {
          const friendlyName = unique("cascade")
          const a = yield* createAgent({ friendlyName })
          expect((yield* raw("POST", `/agents/${a._id}/deploy`)).status).toBe(201)
          const res = yield* raw("DELETE", `/agents/${a._id}`)
          expect(res.status).toBe(204)
          expect(res.text).toBe("")
          expect((yield* raw("GET", `/agents/${a._id}`)).status).toBe(404)
          expect((yield* raw("DELETE", `/agents/${a._id}`)).status).toBe(404)
          const deployments = yield* raw("GET", "/deployments")
          expect(deployments.body.some((d: any) => d.friendlyName === friendlyName)).toBe(false)
        }), timeout)

      it.effect("deploy, deployment status, list and undeploy", () =>
        Effect.gen(function*() {
          const friendlyName = unique("weather")
          const a = yield* createAgent({ friendlyName })
          const before = yield* raw("GET", `/agents/${a._id}/deployment`)
          expect(before).toMatchObject({ status: 200, body: { is_deployed: false } })
          const deployed = yield* raw("POST", `/agents/${a._id}/deploy`)
          expect(deployed.status).toBe(201)
          expect(deployed.body).toEqual({ message: "Agent deployed successfully", endpoint: `/rest/${friendlyName}` })
          const again = yield* raw("POST", `/agents/${a._id}/deploy`)
          expect(again.status).toBe(201)
          expect(again.body).toEqual({ message: "Agent is already deployed", endpoint: `/rest/${friendlyName}` })
          const status = yield* raw("GET", `/agents/${a._id}/deployment`)
          expect(status.body).toEqual({ is_deployed: true, friendly_name: friendlyName })
          const list = yield* raw("GET", "/deployments")
          expect(list.status).toBe(200)
          expect(list.body.filter((d: any) => d.friendlyName === friendlyName)).toEqual([
            { friendlyName, agentId: a._id, description: a.description, inputSchema: {}, outputSchema: {} }
          ])
          expect((yield* raw("DELETE", `/agents/${a._id}/undeploy`)).status).toBe(204)
          expect((yield* raw("DELETE", `/agents/${a._id}/undeploy`)).status).toBe(204)
          expect((yield* raw("GET", `/agents/${a._id}/deployment`)).body).toEqual({ is_deployed: false })
        }), timeout)

      it.effect("deploy fails with 404 for an unknown agent, 400 without friendlyName, 409 for a taken name", () =>
        Effect.gen(function*() {
          const unknown = yield* raw("POST", "/agents/00000000-0000-0000-0000-000000000000/deploy")
          expect(unknown.status).toBe(404)
          expectErrorBody(unknown.body, "NotFound")
          const nameless = yield* createAgent()
          const noName = yield* raw("POST", `/agents/${nameless._id}/deploy`)
          expect(noName.status).toBe(400)
          expectErrorBody(noName.body)
          const friendlyName = unique("taken")
          const first = yield* createAgent({ friendlyName })
          const second = yield* createAgent({ friendlyName })
          expect((yield* raw("POST", `/agents/${first._id}/deploy`)).status).toBe(201)
          const taken = yield* raw("POST", `/agents/${second._id}/deploy`)
          expect(taken.status).toBe(409)
          expectErrorBody(taken.body, "Conflict")
          expect((yield* raw("GET", `/agents/${second._id}/deployment`)).body).toEqual({ is_deployed: false })
          expect((yield* raw("GET", "/agents/00000000-0000-0000-0000-000000000000/deployment")).status).toBe(404)
        }), timeout)

      it.effect("a friendlyName no backend takes as an id saves, as in Gofannon, and deploying it is a 400 that says why", () =>
        Effect.gen(function*() {
          // The editor derives it from the name, swapping what is not [A-Za-z0-9_] for '_': " beta" gives "_beta".
          // The last: "café" with a combining accent, a look-alike of the composed name deployed after the loop.
          const decomposed = `${unique("x")}-cafe\u0301`
          for (const friendlyName of [`_${unique("beta")}`, `${unique("a")}/b`, "n".repeat(600), decomposed]) {
            const agent = yield* createAgent({ friendlyName })
            expect(agent.friendlyName).toBe(friendlyName)
            expect((yield* raw("GET", `/agents/${agent._id}`)).body.friendlyName).toBe(friendlyName)
            const deploy = yield* raw("POST", `/agents/${agent._id}/deploy`)
            expect(deploy.status, friendlyName).toBe(400)
            expectErrorBody(deploy.body, "BadRequest")
            expect(deploy.body.detail).toContain("cannot be deployed")
            expect((yield* raw("GET", `/agents/${agent._id}/deployment`)).body).toEqual({ is_deployed: false })
          }
          const composed = yield* createAgent({ friendlyName: decomposed.normalize("NFC") })
          expect((yield* raw("POST", `/agents/${composed._id}/deploy`)).status).toBe(201)
        }), timeout)

      it.effect("two agents racing to deploy one name: exactly one 201 and one 409", () =>
        Effect.gen(function*() {
          const friendlyName = unique("race")
          const agents = yield* Effect.all([createAgent({ friendlyName }), createAgent({ friendlyName })])
          const statuses = yield* Effect.all(agents.map((a) => raw("POST", `/agents/${a._id}/deploy`)), {
            concurrency: "unbounded"
          })
          expect(statuses.map((s) => s.status).sort()).toEqual([201, 409])
        }), timeout)

      it.effect("demos: create, list, get, replace, stale revision, delete", () =>
        Effect.gen(function*() {
          const demoBody = {
            name: "Demo",
            selectedApis: [],
            modelConfig: { provider: "openai", model: "gpt-4o", parameters: {} },
            userPrompt: "a page",
            generatedCode: { html: "<p>", css: "p{}", js: "1" }
          }
          const created = yield* raw("POST", "/demos", { ...demoBody, other: "dropped" })
          expect(created.status).toBe(201)
          const demo = created.body
          expect(demo._id).toMatch(UUID)
          expect(demo).not.toHaveProperty("other")
          expect((yield* raw("GET", "/demos")).body.some((d: any) => d._id === demo._id)).toBe(true)
          expect((yield* raw("GET", `/demos/${demo._id}`)).body).toEqual(demo)
          const updated = yield* raw("PUT", `/demos/${demo._id}`, { ...demoBody, userPrompt: "make it blue", _rev: demo._rev })
          expect(updated.status).toBe(200)
          expect(updated.body).toMatchObject({ name: "Demo", userPrompt: "make it blue", createdAt: demo.createdAt })
          expect((yield* raw("PUT", `/demos/${demo._id}`, { ...demoBody, _rev: demo._rev })).status).toBe(409)
          expect((yield* raw("POST", "/demos", { ...demoBody, name: undefined })).status).toBe(422)
          expect((yield* raw("POST", "/demos", { ...demoBody, generatedCode: { html: 1 } })).status).toBe(422)
          expect((yield* raw("DELETE", `/demos/${demo._id}`)).status).toBe(204)
          expect((yield* raw("GET", `/demos/${demo._id}`)).status).toBe(404)
          expect((yield* raw("DELETE", `/demos/${demo._id}`)).status).toBe(404)
        }), timeout)

      it.effect("hostile ids get a 4xx with a JSON error, never a 5xx", () =>
        Effect.gen(function*() {
          const hostile = ["..", ".", "_design/x", "a%2Fb", "x".repeat(5000), "%00", "__name__", "_all_docs", "%2e%2e"]
          for (const id of hostile) {
            for (const [method, path, body] of [
              ["GET", `/agents/${id}`, undefined],
              ["PUT", `/agents/${id}`, { name: "x" }],
              ["DELETE", `/agents/${id}`, undefined],
              ["POST", `/agents/${id}/deploy`, undefined],
              ["GET", `/agents/${id}/deployment`, undefined],
              ["DELETE", `/agents/${id}/undeploy`, undefined],
              ["GET", `/demos/${id}`, undefined],
              ["PUT", `/demos/${id}`, { name: "x" }],
              ["GET", `/agents/${id}/chain`, undefined],
              ["DELETE", `/demos/${id}`, undefined]
            ] as const) {
              const res = yield* raw(method, path, body)
              expect(res.status, `${method} ${path.slice(0, 40)}`).toBeGreaterThanOrEqual(400)
              expect(res.status, `${method} ${path.slice(0, 40)}`).toBeLessThan(500)
              expectErrorBody(res.body)
            }
          }
        }), timeout)

      it.effect("unknown routes are 404 with a JSON error; OpenAPI and Swagger UI are served", () =>
        Effect.gen(function*() {
          const none = yield* raw("GET", "/nothing-here")
          expect(none.status).toBe(404)
          expectErrorBody(none.body, "NotFound")
          const spec = yield* raw("GET", "/openapi.json")
          expect(spec.status).toBe(200)
          expect(Object.keys(spec.body.paths)).toEqual(
            expect.arrayContaining(["/health", "/agents", "/agents/{id}", "/agents/{id}/deploy", "/deployments", "/demos/{id}"])
          )
          const docs = yield* raw("GET", "/docs")
          expect(docs.status).toBe(200)
          expect(docs.text).toContain("swagger")
        }), timeout)

      it.effect("the typed client gets typed results and typed errors", () =>
        Effect.gen(function*() {
          const client = yield* HttpApiClient.make(DocportApi, { baseUrl: yield* BaseUrl })
          const agent = yield* client.agents.create({ payload: agentBody({ friendlyName: unique("typed") }) })
          const got = yield* client.agents.get({ path: { id: agent._id } })
          expect(got.name).toBe("Weather agent")
          const missing = yield* Effect.either(client.agents.get({ path: { id: "00000000-0000-0000-0000-000000000000" } }))
          expect(Either.isLeft(missing) && missing.left._tag).toBe("NotFound")
          const deployed = yield* client.agents.deploy({ path: { id: agent._id } })
          expect(deployed.endpoint).toBe(`/rest/${agent.friendlyName}`)
          const health = yield* client.health.health()
          expect(health.database.ok).toBe(true)
        }), timeout)

      more(it)
    }
  )
