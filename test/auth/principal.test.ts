import * as HttpApi from "@effect/platform/HttpApi"
import * as OpenApi from "@effect/platform/OpenApi"
import { describe, expect, it } from "@effect/vitest"
import { Authentication } from "../../src/app/auth/CurrentUser.js"
import { DocportApi } from "../../src/app/http/Api.js"

/**
 * The routes that answer without a principal. The Authentication middleware does not provide the
 * principal through the handler's type (CurrentUser.ts says why), so nothing at compile time stops
 * a route outside the middleware from asking for one: this list is that check. A route added to
 * it must not read `currentUser`.
 */
const PUBLIC = [
  "GET /health",
  "POST /log/client",
  "GET /auth/providers",
  "GET /auth/login/:type",
  "GET /auth/dev-stub-picker",
  "GET /auth/callback/:type",
  "POST /auth/logout"
]

interface Route {
  readonly route: string
  readonly path: string
  readonly method: string
  readonly guarded: boolean
}

/** Every route of the API, and whether it is under the Authentication middleware. */
const ROUTES: ReadonlyArray<Route> = (() => {
  const found: Array<Route> = []
  HttpApi.reflect(DocportApi, {
    onGroup: () => {},
    onEndpoint: ({ endpoint, middleware }) =>
      void found.push({
        route: `${endpoint.method} ${endpoint.path}`,
        path: endpoint.path,
        method: endpoint.method,
        guarded: (middleware as ReadonlySet<unknown>).has(Authentication)
      })
  })
  return found
})()

const GUARDED = ROUTES.filter((r) => r.guarded).map((r) => r.route).sort()

describe("the principal", () => {
  it("every route outside the PUBLIC list is under the Authentication middleware", () => {
    expect(ROUTES.filter((r) => !r.guarded).map((r) => r.route).sort()).toEqual([...PUBLIC].sort())
    expect(GUARDED).toContain("GET /agents/:id")
    expect(GUARDED).toContain("GET /auth/me")
  })

  it("the OpenAPI document asks for a token or a session on exactly the routes under the middleware", () => {
    const spec = OpenApi.fromApi(DocportApi)
    const declared = ROUTES.filter(({ method, path }) => {
      const operation = spec.paths[path.replace(/:(\w+)/g, "{$1}")]![method.toLowerCase() as "get"]!
      if (operation.security.length === 0) return false
      expect(operation.security).toEqual([{ token: [] }, { session: [] }])
      return true
    })
    expect(declared.map((r) => r.route).sort()).toEqual(GUARDED)
    expect(spec.components.securitySchemes).toEqual({
      token: { type: "http", scheme: "bearer" },
      session: { type: "apiKey", in: "cookie", name: "gofannon_sid" }
    })
  })
})
