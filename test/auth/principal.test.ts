import * as HttpApi from "@effect/platform/HttpApi"
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
})
