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

describe("the principal", () => {
  it("every route outside the PUBLIC list is under the Authentication middleware", () => {
    const open: Array<string> = []
    const guarded: Array<string> = []
    HttpApi.reflect(DocportApi, {
      onGroup: () => {},
      onEndpoint: ({ endpoint, middleware }) => {
        const route = `${endpoint.method} ${endpoint.path}`
        ;((middleware as ReadonlySet<unknown>).has(Authentication) ? guarded : open).push(route)
      }
    })
    expect(open.sort()).toEqual([...PUBLIC].sort())
    expect(guarded).toContain("GET /agents/:id")
    expect(guarded).toContain("GET /auth/me")
  })

  it("the OpenAPI document asks for a token or a session on exactly the routes under the middleware", () => {
    const spec = OpenApi.fromApi(DocportApi)
    const declared: Array<string> = []
    const guarded: Array<string> = []
    HttpApi.reflect(DocportApi, {
      onGroup: () => {},
      onEndpoint: ({ endpoint, middleware }) => {
        const route = `${endpoint.method} ${endpoint.path}`
        const operation = spec.paths[endpoint.path.replace(/:(\w+)/g, "{$1}")]![endpoint.method.toLowerCase() as "get"]!
        if ((middleware as ReadonlySet<unknown>).has(Authentication)) guarded.push(route)
        if (operation.security.length > 0) {
          expect(operation.security).toEqual([{ token: [] }, { session: [] }])
          declared.push(route)
        }
      }
    })
    expect(declared.sort()).toEqual(guarded.sort())
    expect(spec.components.securitySchemes).toEqual({
      token: { type: "http", scheme: "bearer" },
      session: { type: "apiKey", in: "cookie", name: "gofannon_sid" }
    })
  })
})
