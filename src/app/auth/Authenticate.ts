import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import { Effect, Exit, Layer, Option } from "effect"
import { AccessTokens } from "../../domain/AccessTokens.js"
import { personalWorkspace, type Principal } from "../../domain/Principal.js"
import { Sessions } from "../../domain/Sessions.js"
import type { DatabaseError } from "../../ports/Errors.js"
import {
  type AuthStoreFailed,
  type AuthStoreUnavailable,
  forbidden,
  type Forbidden,
  storeFailure,
  type TooManyRequests,
  tooManyRequests,
  unauthorized,
  type Unauthorized
} from "./AuthErrors.js"
import { withRequest } from "../http/withRequest.js"
import { LOCAL_UID, makeAdmission, withSiteAdmin } from "./Admission.js"
import { AuthProviders } from "./AuthProviders.js"
import { admit, Authentication, SESSION_COOKIE } from "./CurrentUser.js"
import { FailureLimiter } from "./FailureLimiter.js"
import { changesState, loopbackHostHeader, originOf } from "./Origins.js"
import { SignInSettings } from "./SignInSettings.js"

export type AuthFailure = Unauthorized | Forbidden | TooManyRequests | AuthStoreFailed | AuthStoreUnavailable

export const LOCAL_USER: Principal = {
  uid: LOCAL_UID,
  displayName: "Local user",
  email: null,
  emailVerified: false,
  providerType: "local",
  workspaces: [personalWorkspace(LOCAL_UID)],
  isSiteAdmin: true,
  via: "local"
}

/**
 * The client a failure is counted against: its address, or behind a trusted proxy the address that
 * proxy appended last to the named header (the entries before it are the client's own claims).
 */
export const clientOf = (settings: { readonly clientAddressHeader: Option.Option<string> }) =>
(request: HttpServerRequest.HttpServerRequest): string => {
  const forwarded = Option.flatMap(settings.clientAddressHeader, (name) => Option.fromNullable(request.headers[name]))
  const last = Option.map(forwarded, (value) => value.split(",").at(-1)!.trim())
  return Option.getOrElse(
    Option.orElse(Option.filter(last, (a) => a !== ""), () => request.remoteAddress),
    () => "unknown"
  )
}

/** What the web UI sends when it has no token (`Bearer null`) is no token at all. */
const bearerOf = (request: HttpServerRequest.HttpServerRequest): string | undefined => {
  const header = request.headers["authorization"]
  if (header === undefined || !/^bearer /i.test(header)) return undefined
  const token = header.slice(7).trim()
  return token === "" || token === "null" || token === "undefined" ? undefined : token
}

const TOKEN_REFUSED = "the access token is not valid (unknown, revoked or expired)"
const OWNER_REFUSED = "the access token's owner may no longer sign in (SITE_ADMINS or the provider's allowed domains and users)"
const SESSION_REFUSED = "Session no longer valid: this account may no longer sign in"

export const makeAuthenticate = Effect.gen(function*() {
  const settings = yield* SignInSettings
  const sessions = yield* Sessions
  const tokens = yield* AccessTokens
  const limiter = yield* FailureLimiter
  const clientAddress = clientOf(settings)
  // Asked on every request: taking someone off SITE_ADMINS or an allow list takes effect at once.
  const admission = makeAdmission(settings, yield* AuthProviders)
  const store = <A>(effect: Effect.Effect<A, DatabaseError>) => Effect.catchAll(effect, storeFailure)

  const byToken = (request: HttpServerRequest.HttpServerRequest, token: string) =>
    Effect.gen(function*() {
      const client = clientAddress(request)
      const wait = yield* limiter.blocked(client)
      if (Option.isSome(wait)) return yield* tooManyRequests(wait.value)
      const found = yield* store(tokens.verify(token))
      if (found._tag === "Valid") {
        if (admission.admits(found.principal)) return withSiteAdmin(admission, found.principal)
        return yield* unauthorized("not_authenticated", OWNER_REFUSED)
      }
      yield* limiter.recordFailure(client)
      return yield* unauthorized("not_authenticated", TOKEN_REFUSED)
    })

  const bySession = (request: HttpServerRequest.HttpServerRequest, sid: string) =>
    Effect.gen(function*() {
      const found = yield* store(sessions.lookup(sid))
      if (found._tag !== "Valid") return yield* unauthorized("session_expired", "Session expired or invalid")
      // session_expired: the web UI then offers to sign in again, where the provider's answer decides.
      if (!admission.admits(found.principal)) return yield* unauthorized("session_expired", SESSION_REFUSED)
      // The cookie goes with every request the browser makes, whoever's page asks: a change must come from ours.
      if (changesState(request) && originOf(request, settings.allowedOrigins) !== "allowed") {
        return yield* forbidden("this change must come from the web UI's origin (FRONTEND_URL or PUBLIC_URL)")
      }
      return withSiteAdmin(admission, found.principal)
    })

  const local = (request: HttpServerRequest.HttpServerRequest) => {
    // A loopback server reached under another name was reached by DNS rebinding from a web page.
    if (!loopbackHostHeader(request)) return forbidden("in local mode docport answers only requests addressed to localhost")
    if (changesState(request) && originOf(request, settings.allowedOrigins) === "foreign") {
      return forbidden("in local mode changes are accepted only from the web UI's origin (FRONTEND_URL) or from programs")
    }
    return Effect.succeed(LOCAL_USER)
  }

  /** Token first (an explicit credential), then the session cookie, as a program or the web UI sends them. */
  return (request: HttpServerRequest.HttpServerRequest): Effect.Effect<Principal, AuthFailure> => {
    const token = bearerOf(request)
    if (settings.localMode) {
      // A token a program presents is still checked: a revoked or unknown one is a 401 here too,
      // and its holder is a token (which cannot make tokens), not the local user's browser.
      return token === undefined ? local(request) : Effect.zipRight(local(request), byToken(request, token))
    }
    if (token !== undefined) return byToken(request, token)
    const sid = request.cookies[SESSION_COOKIE]
    if (sid !== undefined && sid !== "") return bySession(request, sid)
    return unauthorized("not_authenticated", "Not authenticated. Session cookie missing or invalid.")
  }
})

/** The middleware: decides once per request and leaves the principal on it (CurrentUser.ts). */
export const layer = Layer.effect(
  Authentication,
  Effect.map(makeAuthenticate, (authenticate) =>
    withRequest((request) => {
      const decision = authenticate(request)
      // Local mode decides at once (the decision is an Exit already): nothing to run.
      if (Exit.isExit(decision)) {
        const decided = decision as Exit.Exit<Principal, AuthFailure>
        if (Exit.isFailure(decided)) return decided
        admit(request, decided.value)
        return Exit.void
      }
      return Effect.map(decision, (principal) => admit(request, principal))
    })
  )
)
