import { describe, expect, it as plain, layer } from "@effect/vitest"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import { Chunk, Effect, Stream } from "effect"
import * as MemoryDatabase from "../../src/adapters/MemoryDatabase.js"
import { jsonArrayResponse, jsonPagesResponse } from "../../src/app/http/JsonArrayStream.js"
import { storedJson } from "../../src/app/http/StoredJson.js"
import { Agent } from "../../src/domain/Agent.js"
import type { DocumentPage } from "../../src/ports/Document.js"
import { raw, testServer } from "../support/TestServer.js"

// Characters of two, three and four bytes in UTF-8: a length counted in characters is short.
const name = "Ωmega — agent 🚀"

/** A JSON answer written whole: its content-length counts its bytes, and it is not chunked. */
const expectWhole = (res: { text: string; headers: Record<string, unknown> }) => {
  expect(res.headers["content-type"]).toBe("application/json")
  expect(res.headers["transfer-encoding"]).toBeUndefined()
  expect(res.headers["content-length"]).toBe(String(Buffer.byteLength(res.text)))
}

describe("a stored entity's JSON answer", () => {
  // Node writes a string through memory it frees at once; a Uint8Array's lives until a scavenge (JsonText.ts).
  plain("is its JSON text, handed to the server as a string", () => {
    const agent = { _id: "a1", _rev: "1-x", name, description: "d", code: "c" } as unknown as Agent
    for (const answer of [storedJson(Agent).one(agent)]) {
      expect(answer.body._tag).toBe("Raw")
      const body = answer.body as { body: unknown; contentLength?: number }
      expect(typeof body.body).toBe("string")
      expect(body.contentLength).toBe(Buffer.byteLength(body.body as string))
    }
  })
})

describe("a list of several pages", () => {
  // The same reason, for the pages of a streamed list (JsonArrayStream.ts, textStream).
  plain.effect("is streamed as strings, which join into the JSON array", () =>
    Effect.gen(function*() {
      const pages = Stream.fromChunks(Chunk.make({ name }, { n: 1 }), Chunk.make({ n: 2 }), Chunk.make({ n: 3 }))
      const answer = yield* jsonArrayResponse(pages, { what: "test list" }).pipe(
        Effect.provideService(HttpServerRequest.HttpServerRequest, HttpServerRequest.fromWeb(new Request("http://127.0.0.1/")))
      )
      if (answer.body._tag !== "Stream") throw new Error(`expected a streamed body, got ${answer.body._tag}`)
      const chunks: ReadonlyArray<unknown> = Chunk.toReadonlyArray(yield* Stream.runCollect(answer.body.stream))
      expect(chunks.every((chunk) => typeof chunk === "string")).toBe(true)
      expect(JSON.parse(chunks.join(""))).toEqual([{ name }, { n: 1 }, { n: 2 }, { n: 3 }])
    }))
})

/** Pages as the port hands them: each after the first read only when its `next` runs, counted in `reads`. */
const pagesOf = <A>(pages: ReadonlyArray<ReadonlyArray<A>>, reads: { count: number }): Effect.Effect<DocumentPage<A>> => {
  const at = (index: number): Effect.Effect<DocumentPage<A>> =>
    Effect.sync(() => {
      reads.count++
      return { items: pages[index]!, next: index + 1 < pages.length ? at(index + 1) : undefined }
    })
  return at(0)
}
const inRequest = <A, E>(effect: Effect.Effect<A, E, HttpServerRequest.HttpServerRequest>) =>
  Effect.provideService(effect, HttpServerRequest.HttpServerRequest, HttpServerRequest.fromWeb(new Request("http://127.0.0.1/")))

describe("a list answered from the port's pages", () => {
  plain.effect("of one page is that page's JSON text, whole, read once", () =>
    Effect.gen(function*() {
      const reads = { count: 0 }
      const answer = yield* inRequest(jsonPagesResponse(pagesOf([[{ name }, { n: 1 }]], reads), { what: "test list" }))
      expect(answer.body._tag).toBe("Raw")
      const body = answer.body as { body: unknown; contentLength?: number }
      expect(JSON.parse(body.body as string)).toEqual([{ name }, { n: 1 }])
      expect(body.contentLength).toBe(Buffer.byteLength(body.body as string))
      expect(reads.count).toBe(1)
    }))

  plain.effect("of a full page and an empty last one is whole too; with open and close it is wrapped", () =>
    Effect.gen(function*() {
      const answer = yield* inRequest(jsonPagesResponse(pagesOf([[{ n: 1 }], []], { count: 0 }), { what: "test list", open: "{\"items\":[", close: "]}" }))
      expect(answer.body._tag).toBe("Raw")
      expect(JSON.parse((answer.body as { body: string }).body)).toEqual({ items: [{ n: 1 }] })
    }))

  plain.effect("of several pages is streamed as strings, reading two pages before answering and the rest as written", () =>
    Effect.gen(function*() {
      const reads = { count: 0 }
      const answer = yield* inRequest(jsonPagesResponse(pagesOf([[{ name }], [], [{ n: 2 }, { n: 3 }], [{ n: 4 }]], reads), { what: "test list" }))
      expect(reads.count).toBe(2)
      if (answer.body._tag !== "Stream") throw new Error(`expected a streamed body, got ${answer.body._tag}`)
      const chunks: ReadonlyArray<unknown> = Chunk.toReadonlyArray(yield* Stream.runCollect(answer.body.stream))
      expect(reads.count).toBe(4)
      expect(chunks.every((chunk) => typeof chunk === "string")).toBe(true)
      expect(JSON.parse(chunks.join(""))).toEqual([{ name }, { n: 2 }, { n: 3 }, { n: 4 }])
    }))
})

layer(testServer(MemoryDatabase.layer), { excludeTestServices: true, timeout: "60 seconds" })("JSON answers written as text", (it) => {
  it.effect("an agent created, read and listed: whole, with its length in bytes, and the text as stored", () =>
    Effect.gen(function*() {
      const created = yield* raw("POST", "/agents", { name, description: "ü", code: "print('ß')" })
      expect(created.status).toBe(201)
      expectWhole(created)
      const id = (created.body as { _id: string })._id

      const one = yield* raw("GET", `/agents/${id}`)
      expect(one.status).toBe(200)
      expectWhole(one)
      expect(one.body).toMatchObject({ _id: id, name, description: "ü", code: "print('ß')" })

      const list = yield* raw("GET", "/agents")
      expect(list.status).toBe(200)
      expectWhole(list)
      expect((list.body as Array<{ name: string }>).map((agent) => agent.name)).toContain(name)
    }))

  it.effect("a page of data-store records keeps its x-next-cursor header", () =>
    Effect.gen(function*() {
      for (const key of ["a", "b", "c"]) {
        const put = yield* raw("PUT", `/data-store/namespaces/text/records/${key}`, { value: { name } })
        expect(put.status).toBeLessThan(300)
      }
      const page = yield* raw("GET", "/data-store/namespaces/text/records?limit=2")
      expect(page.status).toBe(200)
      expectWhole(page)
      expect(typeof page.headers["x-next-cursor"]).toBe("string")
      expect((page.body as Array<{ value: unknown }>).map((record) => record.value)).toEqual([{ name }, { name }])
    }))
})
