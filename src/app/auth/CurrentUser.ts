import * as HttpApiMiddleware from "@effect/platform/HttpApiMiddleware"
import * as HttpApiSecurity from "@effect/platform/HttpApiSecurity"
import { Context, Schema } from "effect"
import type { Principal } from "../../domain/Principal.js"
import { AuthStoreFailed, AuthStoreUnavailable, Forbidden, TooManyRequests, Unauthorized } from "./AuthErrors.js"

export const SESSION_COOKIE = "gofannon_sid"

/** The principal of the request being handled, provided by the Authentication middleware. */
export class CurrentUser extends Context.Tag("docport/CurrentUser")<CurrentUser, Principal>() {}

/**
 * Every data route requires a principal: a session cookie (the web UI) or a personal access token
 * (programs), or the one local user in local mode.
 */
export class Authentication extends HttpApiMiddleware.Tag<Authentication>()("docport/Authentication", {
  provides: CurrentUser,
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
