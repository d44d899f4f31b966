import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import * as MemoryDatabase from "../../src/adapters/MemoryDatabase.js"
import { MAX_JSON_DEPTH } from "../../src/app/http/JsonBody.js"
import { streamRequest } from "../support/streamingRequest.js"
import { BaseUrl, raw, testServer } from "../support/TestServer.js"

const MiB = 1024 * 1024
const agent = { name: "Edge", description: "d", code: "c" }

/** A JSON error body as everywhere: `_tag`, `message` and a one-line `detail`. */
const expectError = (body: any, tag: string) => {
  expect(body._tag).toBe(tag)
  expect(typeof body.message).toBe("string")
  expect(typeof body.detail).toBe("string")
  expect(body.detail).not.toContain("\n")
}

const rawWith = (method: string, path: string, body: string, headers: Record<string, string>) =>
  streamRequest({ method, path, head: body, total: 0, tail: "", headers: { "content-length": String(Buffer.byteLength(body)), ...headers } })

const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth)

layer(testServer(MemoryDatabase.layer), { excludeTestServices: true, timeout: "120 seconds" })("the HTTP edge", (it) => {
  it.effect("a body declared larger than MAX_BODY_BYTES is a 413 before any of it is read", () =>
    Effect.gen(function*() {
      const res = yield* streamRequest({
        path: "/agents",
        headers: { "content-length": String(700 * MiB) },
        head: "{\"name\":\"",
        total: 700 * MiB
      })
      expect(res.status).toBe(413)
      expectError(res.body, "PayloadTooLarge")
      expect(res.headers.connection).toBe("close")
      expect(res.sent).toBeLessThan(100 * MiB)
    }))

  it.effect("streamed bodies past the limit are cut off while reading: 413, memory flat, the server still serves", () =>
    Effect.gen(function*() {
      const before = process.memoryUsage().rss
      // Four at once, 600 MB each with no declared length: more than V8's longest string if one were read whole.
      const answers = yield* Effect.all(
        Array.from({ length: 4 }, () => streamRequest({ path: "/agents", head: "{\"name\":\"", total: 600 * MiB, tail: "\"}" })),
        { concurrency: "unbounded" }
      )
      for (const res of answers) {
        expect(res.status).toBe(413)
        expectError(res.body, "PayloadTooLarge")
        expect(res.body.detail).toContain(String(MiB))
        expect(res.finished).toBe(false)
        expect(res.headers.connection).toBe("close")
      }
      // Wide: the server keeps at most one limit's worth per request; the client never held a body.
      expect(process.memoryUsage().rss - before).toBeLessThan(150 * MiB)
      expect((yield* raw("GET", "/health")).status).toBe(200)
    }))

  it.effect("a slow body is waited for without holding up other requests, and one just under the limit is read whole", () =>
    Effect.gen(function*() {
      const filler = MiB - 1024
      const slow = yield* Effect.fork(streamRequest({
        path: "/agents",
        head: "{\"name\":\"slow\",\"description\":\"",
        chunk: Buffer.alloc(filler / 16, "x"),
        total: filler,
        pauseMs: 100,
        tail: "\",\"code\":\"c\"}"
      }))
      yield* Effect.sleep("300 millis")
      expect((yield* raw("GET", "/health")).status).toBe(200)
      const res = yield* slow
      // The edge reads it all; the document, over what every backend can store, is the port's 413.
      expect(res.finished).toBe(true)
      expect(res.status).toBe(413)
      expectError(res.body, "DocumentTooLarge")
      const small = yield* streamRequest({
        path: "/agents",
        head: "{\"name\":\"slow\",\"description\":\"",
        chunk: Buffer.alloc(4096, "x"),
        total: 64 * 1024,
        pauseMs: 20,
        tail: "\",\"code\":\"c\"}"
      })
      expect(small.status).toBe(201)
      expect(small.body.description.length).toBeGreaterThanOrEqual(60 * 1024)
    }))

  it.effect("JSON nested deeper than the limit is a 400 before parsing, in any field; reasonable nesting is kept", () =>
    Effect.gen(function*() {
      for (const body of [
        `{"name":"deep","description":"d","code":"c","composerThoughts":${nested(5_000)}}`,
        `{"name":${nested(100_000)}}`,
        `{"name":"x","inputSchema":{"a":${"{\"a\":".repeat(MAX_JSON_DEPTH)}1${"}".repeat(MAX_JSON_DEPTH)}}}`
      ]) {
        const res = yield* raw("POST", "/agents", undefined, body)
        expect(res.status).toBe(400)
        expectError(res.body, "BadRequest")
        expect(res.body.detail).toContain("nests deeper")
      }
      // Under the edge's bound but deeper than a stored document may be: the port's 400.
      const stored = yield* raw("POST", "/agents", { ...agent, inputSchema: { deep: JSON.parse(nested(MAX_JSON_DEPTH - 2)) } })
      expect(stored.status).toBe(400)
      expect(stored.body.detail).toContain("nests deeper than 20")
      // Brackets inside strings are text, not nesting.
      const deep = JSON.parse(nested(6))
      const ok = yield* raw("POST", "/agents", { ...agent, inputSchema: { deep }, description: "[".repeat(10_000) })
      expect(ok.status).toBe(201)
      expect(ok.body.inputSchema.deep).toEqual(deep)
    }))

  it.effect("a body that is not UTF-8 is a 400 and stores nothing, rather than its bytes turned into U+FFFD", () =>
    Effect.gen(function*() {
      const before = (yield* raw("GET", "/agents")).body.length
      for (const bytes of [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0xaf]]) {
        const head = `{"name":"bad `
        const tail = `","description":"d","code":"c"}`
        const res = yield* streamRequest({
          method: "POST",
          path: "/agents",
          head,
          chunk: Buffer.from(bytes),
          total: Buffer.byteLength(head) + bytes.length,
          tail,
          headers: { "content-length": String(Buffer.byteLength(head) + bytes.length + Buffer.byteLength(tail)) }
        })
        expect(`${bytes} ${res.status}`).toBe(`${bytes} 400`)
        expectError(res.body, "BadRequest")
        expect((res.body as any).detail).toContain("UTF-8")
      }
      expect((yield* raw("GET", "/agents")).body.length).toBe(before)
      // Text beyond ASCII, correctly encoded, is kept as sent.
      const ok = yield* raw("POST", "/agents", { ...agent, name: "Ünïcödé 𝄞 名前" })
      expect(ok.status).toBe(201)
      expect(ok.body.name).toBe("Ünïcödé 𝄞 名前")
    }))

  it.effect("a \"__proto__\" key anywhere in a body is a 400 naming where, on every route, rather than dropped by the schema", () =>
    Effect.gen(function*() {
      const json = { "content-type": "application/json" }
      const agents = (yield* raw("GET", "/agents")).body.length
      const refused = [
        ["POST", "/agents", `{"name":"P","description":"d","code":"c","tools":{"__proto__":["t"],"b":["u"]}}`, "tools.__proto__"],
        ["POST", "/agents", `{"name":"P","description":"d","code":"c","inputSchema":{"a":[{"\\u005f_proto__":1}]}}`, "inputSchema.a[0].__proto__"],
        ["PUT", "/data-store/namespaces/p/records/k", `{"value":1,"metadata":{"__proto__":{"a":1}}}`, "metadata.__proto__"],
        ["PUT", "/data-store/namespaces/p/records/k", `{"value":{"\\u005F\\u005F\\u0070\\u0072\\u006f\\u0074\\u006f__":2}}`, "value.__proto__"]
      ] as const
      for (const [method, path, body, at] of refused) {
        const res = yield* rawWith(method, path, body, json)
        expect(`${body} ${res.status}`).toBe(`${body} 400`)
        expectError(res.body, "BadRequest")
        expect(res.body.detail).toContain(`(at ${at})`)
      }
      expect((yield* raw("GET", "/agents")).body.length).toBe(agents)
      expect((yield* raw("GET", "/data-store/namespaces/p/records/k")).status).toBe(404)
      // The word as a value, as a name or near a key is data like any other.
      const ok = yield* rawWith("POST", "/agents", `{"name":"__proto__","description":"\\u005f","code":"c","inputSchema":{"__proto":"__proto__"}}`, json)
      expect(ok.status).toBe(201)
      expect(ok.body.name).toBe("__proto__")
      expect(ok.body.inputSchema).toEqual({ __proto: "__proto__" })
    }))

  it.effect("an integer beyond 2^53 that would not be kept as written is a 400 naming where; exact ones, floats and digits in strings are kept", () =>
    Effect.gen(function*() {
      const json = { "content-type": "application/json" }
      const records = "/data-store/namespaces/big/records"
      const refused = [
        [`${records}/a`, `{"value":{"ids":[1, 9007199254740993]}}`, "value.ids[1]"],
        [`${records}/b`, `{"value":-12345678901234567891}`, "value"],
        [`${records}/c`, `{"value":"9007199254740993","metadata":{"n":18446744073709551615}}`, "metadata.n"]
      ] as const
      for (const [path, body, at] of refused) {
        const res = yield* rawWith("PUT", path, body, json)
        expect(`${body} ${res.status}`).toBe(`${body} 400`)
        expectError(res.body, "BadRequest")
        expect(res.body.detail).toContain(`(at ${at})`)
        expect((yield* raw("GET", path)).status).toBe(404)
      }
      // 2^53 and 10^21 are exact; a fraction or an exponent says the writer meant a float; a string keeps its digits.
      const kept = `{"value":[9007199254740992,1000000000000000000000,12345678901234567.5,12345678901234567e2,"12345678901234567891"]}`
      const ok = yield* rawWith("PUT", `${records}/d`, kept, json)
      expect(ok.status).toBe(200)
      expect((yield* raw("GET", `${records}/d`)).body.value).toEqual(JSON.parse(kept).value)
    }))

  it.effect("a raw ';' or '#' in a path is part of the name it is in, not the end of the path: nothing else is written or deleted", () =>
    Effect.gen(function*() {
      const records = "/data-store/namespaces/semi/records"
      for (const key of ["k1", "k2"]) expect((yield* raw("PUT", `${records}/${key}`, { value: key })).status).toBe(200)
      // Each of these once reached `semi`'s records or the agent, cut at the ';' or '#'.
      expect((yield* raw("DELETE", "/data-store/namespaces/semi;v2/records/k1")).status).toBe(404)
      expect((yield* raw("DELETE", "/data-store/namespaces/semi;old")).body.deletedCount).toBe(0)
      const draft = yield* raw("PUT", `${records}/k1;draft?x=1;2`, { value: "draft" })
      expect(draft.status).toBe(200)
      expect(draft.body.key).toBe("k1;draft")
      expect((yield* raw("PUT", `${records}/k2#b`, { value: "hash" })).body.key).toBe("k2#b")
      const kept = (yield* raw("GET", `${records}?limit=10`)).body.map((r: any) => `${r.key}=${r.value}`).sort()
      expect(kept).toEqual(["k1;draft=draft", "k1=k1", "k2#b=hash", "k2=k2"])
      const created = yield* raw("POST", "/agents", agent)
      expect((yield* raw("DELETE", `/agents/${created.body._id};/undeploy`)).status).not.toBe(500)
      expect((yield* raw("GET", `/agents/${created.body._id}`)).status).toBe(200)
      // The 405 names the path as sent and the methods of the route it is.
      const method = yield* raw("POST", `/agents/${created.body._id};x`, {})
      expect(method.status).toBe(405)
      expect(method.headers.allow).toBe("DELETE, GET, HEAD, PUT")
    }))

  it.effect("a request target in absolute form (http://host/path), which HTTP/1.1 servers must take, names the record its path names", () =>
    Effect.gen(function*() {
      const base = (yield* BaseUrl).replace(/\/$/, "")
      const path = "/data-store/namespaces/absolute/records/a/b"
      const put = yield* raw("PUT", `${base}${path}`, { value: "abs" })
      expect(put.status).toBe(200)
      expect(put.body.key).toBe("a/b")
      expect((yield* raw("GET", path)).body.value).toBe("abs")
      // Its empty segments are refused as a path's are.
      expect((yield* raw("PUT", `${base}/data-store/namespaces/absolute/records/a//b`, { value: 1 })).status).toBe(400)
    }))

  it.effect("bodies must be uncompressed application/json: forms, multipart, text, unlabelled and gzip bodies are a 415 and store nothing", () =>
    Effect.gen(function*() {
      const count = (yield* raw("GET", "/agents")).body.length
      for (
        const [type, body] of [
          ["application/x-www-form-urlencoded", "name=csrf&description=d&code=c"],
          ["multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\ncsrf\r\n--b--\r\n"],
          ["text/plain", JSON.stringify({ ...agent, name: "csrf" })],
          ["application/json; charset=latin1", JSON.stringify({ ...agent, name: "csrf" })],
          ["application/jsonp", JSON.stringify({ ...agent, name: "csrf" })]
        ]
      ) {
        const res = yield* rawWith("POST", "/agents", body!, { "content-type": type! })
        expect(res.status, type).toBe(415)
        expectError(res.body, "UnsupportedMediaType")
      }
      const unlabelled = yield* streamRequest({
        path: "/agents",
        head: JSON.stringify(agent),
        total: 0,
        tail: "",
        headers: { "content-type": "" }
      })
      expect(unlabelled.status).toBe(415)
      expect((yield* raw("GET", "/agents")).body.length).toBe(count)
      for (const type of ["application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8"]) {
        const res = yield* rawWith("POST", "/agents", JSON.stringify(agent), { "content-type": type })
        expect(res.status, type).toBe(201)
      }
      // A compressed body is refused by its coding, whatever the bytes: read as text they are gzip.
      for (const coding of ["gzip", "br", "deflate, gzip"]) {
        const res = yield* rawWith("POST", "/agents", JSON.stringify({ ...agent, name: "coded" }), { "content-type": "application/json", "content-encoding": coding })
        expect(res.status, coding).toBe(415)
        expectError(res.body, "UnsupportedMediaType")
      }
      expect((yield* raw("GET", "/agents")).body.length).toBe(count + 3)
      const identity = yield* rawWith("POST", "/agents", JSON.stringify(agent), { "content-type": "application/json", "content-encoding": "identity" })
      expect(identity.status).toBe(201)
      // Without a body, no content type is needed.
      const created = yield* raw("POST", "/agents", { ...agent, friendlyName: `edge-${process.pid}-${Date.now()}` })
      expect((yield* raw("POST", `/agents/${created.body._id}/deploy`)).status).toBe(201)
    }))

  it.effect("routes are exact-case; a wrong method on a known path is a 405 naming the allowed ones", () =>
    Effect.gen(function*() {
      const upper = yield* raw("GET", "/AGENTS")
      expect(upper.status).toBe(404)
      expectError(upper.body, "NotFound")
      const cases: Array<[string, string, string]> = [
        ["PATCH", "/agents", "GET, HEAD, POST"],
        ["DELETE", "/agents", "GET, HEAD, POST"],
        ["POST", "/agents/some-id", "DELETE, GET, HEAD, PUT"],
        ["GET", "/agents/some-id/deploy", "POST"],
        ["PUT", "/health", "GET, HEAD"],
        ["POST", "/deployments", "GET, HEAD"]
      ]
      for (const [method, path, allow] of cases) {
        const res = yield* raw(method, path)
        expect(res.status, `${method} ${path}`).toBe(405)
        expectError(res.body, "MethodNotAllowed")
        expect(res.body.detail).toContain(allow)
        const headers = yield* streamRequest({ method, path, total: 0, tail: "", headers: {} })
        expect(headers.headers.allow).toBe(allow)
      }
      const unknown = yield* raw("GET", "/no/such/path")
      expect(unknown.status).toBe(404)
      expectError(unknown.body, "NotFound")
      // A change on a path ending in '/' is no route (RequestEdge.ts); a read is still served.
      expectError((yield* raw("POST", "/deployments/")).body, "NotFound")
      expect((yield* raw("GET", "/deployments/")).status).toBe(200)
      // And the methods a 405 names there are the reads only.
      const options = yield* raw("OPTIONS", "/agents/")
      expect(options.status).toBe(405)
      expect(options.headers["allow"]).toBe("GET, HEAD")
    }))

  it.effect("long or odd ids get docport's own answer (400 or 404), never 'no route'", () =>
    Effect.gen(function*() {
      const long = yield* raw("GET", `/agents/${"a".repeat(300)}`)
      expect(long.status).toBe(404)
      expect(long.body.message).not.toContain("no route")
      for (const id of ["a".repeat(600), "_design", "%2Fetc", "..", "%00"]) {
        const res = yield* raw("GET", `/agents/${id}`)
        expect(res.status, id).toBe(400)
        expect(res.body.message).toContain("invalid id")
        const put = yield* raw("PUT", `/agents/${id}`, { description: "x" })
        expect(put.status, id).toBe(400)
      }
    }))

  it.effect("a path that is not valid percent-encoding is a 400 on every method, not a 405 that names the method", () =>
    Effect.gen(function*() {
      const paths = ["/agents/%ff", "/agents/%zz", "/agents/%E2%9C", "/demos/%ff", "/data-store/namespaces/%ff/records", "/agents/%ff/x"]
      for (const path of paths) {
        for (const method of ["GET", "PUT", "DELETE"]) {
          const res = yield* raw(method, path, method === "PUT" ? agent : undefined)
          expect(res.status, `${method} ${path}`).toBe(400)
          expectError(res.body, "BadRequest")
          expect(res.body.message).toContain("percent-encod")
        }
      }
      // Escapes that decode stay the ids' business.
      const absent = yield* raw("GET", "/agents/%E2%9C%93")
      expect(absent.status).toBe(404)
      expectError(absent.body, "NotFound")
    }))
})
