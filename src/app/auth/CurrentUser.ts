import * as HttpApiMiddleware from "@effect/platform/HttpApiMiddleware"
import * as HttpApiSecurity from "@effect/platform/HttpApiSecurity"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import { Effect, Schema } from "effect"
import type { Principal } from "../../domain/Principal.js"
import { withRequest } from "../http/withRequest.js"
import { AuthStoreFailed, AuthStoreUnavailable, Forbidden, TooManyRequests, Unauthorized } from "./AuthErrors.js"

export const SESSION_COOKIE = "gofannon_sid"

const PRINCIPAL = Symbol("docport/principal")

type Admitted = HttpServerRequest.HttpServerRequest & { [PRINCIPAL]?: Principal }

/** Called by the Authentication middleware alone, with the principal it let the request in as. */
export const admit = (request: HttpServerRequest.HttpServerRequest, principal: Principal): void => {
  ;(request as Admitted)[PRINCIPAL] = principal
}

/**
 * The principal of the request being handled, which the Authentication middleware left on the
 * request. The middleware does not `provides` it: the platform provides a middleware's service
 * through a fiber-local context (a context copy and an uninterruptible acquire-use-release). That
 * cost 25 Effect steps and about 50 K instructions per request (a GET: 571 K with it, 520 K
 * without; bench/http/instructionBench.ts) on every route under the middleware, whether its
 * handler reads the principal or not. What it gave up is a compile-time proof: a route outside the
 * middleware that asks for the principal dies here instead, and test/auth/principal.test.ts checks
 * that every route that is not public is under the middleware.
 */
export const currentUser: Effect.Effect<Principal, never, HttpServerRequest.HttpServerRequest> = withRequest((request) => {
  const principal = (request as Admitted)[PRINCIPAL]
  return principal === undefined
    ? Effect.dieMessage("a route under no Authentication middleware asked for the principal")
    : Effect.succeed(principal)
})

/**
 * Every data route requires a principal: a session cookie (the web UI) or a personal access token
 * (programs), or the one local user in local mode.
 */
export class Authentication extends HttpApiMiddleware.Tag<Authentication>()("docport/Authentication", {
  failure: Schema.Union(Unauthorized, Forbidden, TooManyRequests, AuthStoreFailed, AuthStoreUnavailable),
  // The platform decodes each scheme in this order until a handler succeeds, and decoding a cookie
  // that is absent builds a ParseError with a stack trace (~18 µs). Both handlers make the same
  // decision (Authenticate.ts), so the bearer scheme, whose decoding cannot fail, goes first: a
  // request that is let in never pays for the cookie decode.
  security: {
    token: HttpApiSecurity.bearer,
    session: HttpApiSecurity.apiKey({ in: "cookie", key: SESSION_COOKIE })
  }
}) {}
