import * as HttpApiMiddleware from "@effect/platform/HttpApiMiddleware"
import type * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import type * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as OpenApi from "@effect/platform/OpenApi"
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
 *
 * A plain middleware, not one the platform's security API declares: given schemes, the platform
 * decodes the bearer scheme into a `Redacted` on every request and chains the schemes with
 * `catchAll`, while docport's decision (Authenticate.ts) reads the header and the cookie itself
 * and needs both at once. Declared that way, a `GET` cost 519 K instructions against 512 K now
 * (bench/http/instructionBench.ts), and the build with it 1.02 - 1.03 × this one's CPU side by
 * side. The OpenAPI document still lists both schemes: `signedIn` and `signInSchemes` below write
 * them, and test/auth/principal.test.ts checks they name exactly the routes under the middleware.
 */
export class Authentication extends HttpApiMiddleware.Tag<Authentication>()("docport/Authentication", {
  failure: Schema.Union(Unauthorized, Forbidden, TooManyRequests, AuthStoreFailed, AuthStoreUnavailable)
}) {}

// Either scheme lets a request in: alternatives, one requirement each.
const SIGN_IN_REQUIREMENTS = [{ token: [] }, { session: [] }]

/** A group whose every route needs a principal, declared so in the OpenAPI document. */
export const signedIn = <Id extends string, Endpoints extends HttpApiEndpoint.HttpApiEndpoint.Any, E, R, TopLevel extends boolean>(
  group: HttpApiGroup.HttpApiGroup<Id, Endpoints, E, R, TopLevel>
) => group.middleware(Authentication).annotateEndpoints(OpenApi.Override, { security: SIGN_IN_REQUIREMENTS })

/** The OpenAPI document's schemes for `signedIn`'s requirements. */
export const signInSchemes = (document: Record<string, any>): OpenApi.OpenAPISpec => {
  const spec = document as OpenApi.OpenAPISpec
  return {
    ...spec,
    components: {
      ...spec.components,
      securitySchemes: {
        ...spec.components.securitySchemes,
        token: { type: "http", scheme: "bearer" },
        session: { type: "apiKey", in: "cookie", name: SESSION_COOKIE }
      }
    }
  }
}
