import { describe, expect, layer } from "@effect/vitest"
import { ConfigProvider, Effect, Layer } from "effect"
import * as MemoryDatabase from "../../src/adapters/MemoryDatabase.js"
import { authConfig } from "../../src/app/auth/AuthConfig.js"
import { FrontendOrigins } from "../../src/app/http/Cors.js"
import { raw, testServer } from "../support/TestServer.js"

const withEnv = (env: Record<string, string>) => Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

const UI = "http://localhost:3000"
const OTHER_UI = "https://ui.example.org"
const STRANGER = "https://evil.example.com"

const corsHeaders = (headers: Record<string, unknown>) => Object.keys(headers).filter((name) => name.startsWith("access-control-"))

const preflight = (origin: string) =>
  raw("OPTIONS", "/agents", undefined, undefined, {
    origin,
    "access-control-request-method": "POST",
    "access-control-request-headers": "content-type,authorization"
  })

describe("CORS for the UI's origins (FRONTEND_URL)", () => {
  layer(testServer(MemoryDatabase.layer).pipe(Layer.provide(withEnv({ FRONTEND_URL: ` ${UI}/ , ${OTHER_UI}` }))), {
    excludeTestServices: true
  })((it) => {
    it.effect("a configured origin's preflight is answered, with credentials and the methods the UI uses", () =>
      Effect.gen(function*() {
        for (const origin of [UI, OTHER_UI]) {
          const res = yield* preflight(origin)
          expect(res.status).toBe(204)
          expect(res.headers["access-control-allow-origin"]).toBe(origin)
          expect(res.headers["access-control-allow-credentials"]).toBe("true")
          expect(String(res.headers["access-control-allow-methods"])).toContain("DELETE")
          expect(String(res.headers["access-control-allow-headers"]).toLowerCase()).toContain("content-type")
        }
      }))

    it.effect("a configured origin's requests carry CORS headers, errors included", () =>
      Effect.gen(function*() {
        const list = yield* raw("GET", "/agents", undefined, undefined, { origin: UI })
        expect(list.status).toBe(200)
        expect(list.headers["access-control-allow-origin"]).toBe(UI)
        expect(list.headers["access-control-allow-credentials"]).toBe("true")
        expect(String(list.headers["access-control-expose-headers"])).toContain("X-Auth-Reason")
        const missing = yield* raw("GET", "/agents/00000000-0000-0000-0000-000000000000", undefined, undefined, { origin: UI })
        expect(missing.status).toBe(404)
        expect(missing.headers["access-control-allow-origin"]).toBe(UI)
        const invalid = yield* raw("POST", "/agents", { name: 1 }, undefined, { origin: UI })
        expect(invalid.status).toBe(422)
        expect(invalid.headers["access-control-allow-origin"]).toBe(UI)
        // The edge's own answers, given before any route: the UI must read their detail too.
        const edge = [
          [415, yield* raw("POST", "/agents", undefined, "name=x", { origin: UI, "content-type": "application/x-www-form-urlencoded" })],
          [413, yield* raw("POST", "/agents", undefined, `"${"x".repeat(1024 * 1024)}"`, { origin: UI })],
          [400, yield* raw("POST", "/agents", undefined, `{"__proto__":{}}`, { origin: UI })],
          [405, yield* raw("DELETE", "/health", undefined, undefined, { origin: UI })]
        ] as const
        for (const [status, res] of edge) {
          expect(res.status).toBe(status)
          expect(`${status} ${res.headers["access-control-allow-origin"]}`).toBe(`${status} ${UI}`)
          expect(typeof (res.body as any)?.detail).toBe("string")
        }
      }))

    it.effect("any other origin, and a request without one, gets no CORS header at all", () =>
      Effect.gen(function*() {
        const res = yield* raw("GET", "/agents", undefined, undefined, { origin: STRANGER })
        expect(res.status).toBe(200)
        expect(corsHeaders(res.headers)).toEqual([])
        const pre = yield* preflight(STRANGER)
        expect(pre.status).not.toBe(204)
        expect(corsHeaders(pre.headers)).toEqual([])
        expect(corsHeaders((yield* raw("GET", "/agents")).headers)).toEqual([])
        // an origin that only starts like a configured one is another origin
        expect(corsHeaders((yield* preflight(`${UI}.evil.example.com`)).headers)).toEqual([])
      }))

    it.effect("every answer varies by Origin, those without CORS headers too, so no cache hands one to the UI", () =>
      Effect.gen(function*() {
        const asked: ReadonlyArray<Record<string, string>> = [{ origin: UI }, { origin: STRANGER }, {}]
        for (const headers of asked) {
          const res = yield* raw("GET", "/agents", undefined, undefined, headers)
          expect(`${headers["origin"]} ${res.headers["vary"]}`).toBe(`${headers["origin"]} Origin`)
        }
        const missing = yield* raw("GET", "/agents/00000000-0000-0000-0000-000000000000")
        expect(`${missing.status} ${missing.headers["vary"]}`).toBe("404 Origin")
      }))
  })

  layer(testServer(MemoryDatabase.layer).pipe(Layer.provide(withEnv({}))), { excludeTestServices: true })("without FRONTEND_URL", (it) => {
    it.effect("no origin gets CORS headers", () =>
      Effect.gen(function*() {
        expect(corsHeaders((yield* preflight(UI)).headers)).toEqual([])
        expect(corsHeaders((yield* raw("GET", "/agents", undefined, undefined, { origin: UI })).headers)).toEqual([])
      }))
  })

  layer(Layer.empty)("FRONTEND_URL values", (it) => {
    it.effect("are origins, comma-separated; a value that is not a URL stops start-up naming the variable", () =>
      Effect.gen(function*() {
        const read = (value: string) => Effect.either(Effect.withConfigProvider(FrontendOrigins, ConfigProvider.fromMap(new Map([["FRONTEND_URL", value]]))))
        const ok = yield* read("http://localhost:3000/, https://ui.example.org:8443/app")
        expect(ok).toMatchObject({ _tag: "Right", right: ["http://localhost:3000", "https://ui.example.org:8443"] })
        const bad = yield* read("http://localhost:3000,not a url")
        expect(bad._tag).toBe("Left")
        expect(String(bad._tag === "Left" ? bad.left : "")).toContain("FRONTEND_URL")
      }))

    it.effect("mean the same to sign-in and to CORS: a value one refuses, the other refuses too", () =>
      Effect.gen(function*() {
        const readBoth = (value: string) => {
          const env = ConfigProvider.fromMap(new Map([["FRONTEND_URL", value]]))
          return Effect.all([
            Effect.either(Effect.withConfigProvider(FrontendOrigins, env)),
            Effect.either(Effect.withConfigProvider(Effect.map(authConfig, (s) => s.frontendUrls.map((u) => u.origin)), env))
          ])
        }
        // a URL without an origin a browser could send: refused by both, in the same words
        for (const value of ["mailto:ui@example.org", "file:///srv/ui/index.html", "localhost:3000"]) {
          const [cors, signIn] = yield* readBoth(value)
          expect(cors._tag, value).toBe("Left")
          expect(signIn._tag, value).toBe("Left")
          expect(String(signIn._tag === "Left" ? signIn.left : "")).toContain("is not a URL such as http://localhost:3000")
        }
        const [cors, signIn] = yield* readBoth("https://ui.example.org/app/")
        expect(cors).toMatchObject({ _tag: "Right", right: ["https://ui.example.org"] })
        expect(signIn).toMatchObject({ _tag: "Right", right: ["https://ui.example.org"] })
        // unset: no CORS at all, and sign-in sends the browser back to Gofannon's UI dev server
        const [noCors, defaultUi] = yield* readBoth("")
        expect(noCors).toMatchObject({ _tag: "Right", right: [] })
        expect(defaultUi).toMatchObject({ _tag: "Right", right: ["http://localhost:3000"] })
      }))
  })
})
