import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Duration, Effect, Option } from "effect"
import { AccessTokens } from "../../domain/AccessTokens.js"
import { LoginStates } from "../../domain/LoginStates.js"
import { personalWorkspace, type Principal } from "../../domain/Principal.js"
import { sameSecret } from "../../domain/Secrets.js"
import { Sessions } from "../../domain/Sessions.js"
import { Users } from "../../domain/Users.js"
import { workspaceChanges } from "../../domain/WorkspaceRefresh.js"
import type { DatabaseError } from "../../ports/Errors.js"
import { DocportApi } from "../http/Api.js"
import { DEV_STUB } from "./AuthConfig.js"
import {
  forbidden,
  type ProviderUnavailable,
  providerUnavailable,
  type SignInFailed,
  signInFailed,
  storeFailure,
  TokenNotFound,
  tooManyRequests,
  UnknownProvider
} from "./AuthErrors.js"
import { htmlPage } from "../http/HtmlPage.js"
import { makeAdmission } from "./Admission.js"
import { AuthProviders } from "./AuthProviders.js"
import { clientOf } from "./Authenticate.js"
import { cookieOptions, frontendTarget, redirectUri, safeReturnTo, STATE_COOKIE, STATE_COOKIE_PATH } from "./Cookies.js"
import { currentUser, SESSION_COOKIE } from "./CurrentUser.js"
import { pickerPage } from "./DevStubProvider.js"
import * as FailureLimiter from "./FailureLimiter.js"
import { originOf } from "./Origins.js"
import { deniedPage } from "./Pages.js"
import { SignInSettings } from "./SignInSettings.js"

const DEFAULT_TOKEN_DAYS = 90
/** Every login start writes a login state before anyone is known: a client may start this many per failure window. */
const LOGIN_STARTS_PER_FAILURE = 6
const store = <A>(effect: Effect.Effect<A, DatabaseError>) => Effect.catchAll(effect, storeFailure)

export const AuthLive = HttpApiBuilder.group(DocportApi, "auth", (handlers) =>
  Effect.gen(function*() {
    const settings = yield* SignInSettings
    const providers = yield* AuthProviders
    const loginStates = yield* LoginStates
    const sessions = yield* Sessions
    const users = yield* Users
    const limiter = yield* FailureLimiter.FailureLimiter
    const admission = makeAdmission(settings, providers)
    const clientAddress = clientOf(settings)
    const starts = yield* FailureLimiter.make({
      maxFailures: settings.maxFailures * LOGIN_STARTS_PER_FAILURE,
      window: settings.failureWindow
    })

    const providerOf = (type: string) =>
      Option.match(Option.fromNullable(providers.find((p) => p.type === type)), {
        onNone: () => Effect.fail(new UnknownProvider({ message: `Unknown provider: ${type}`, detail: `Unknown provider: ${type}` })),
        onSome: Effect.succeed
      })

    return handlers
      .handle("providers", () =>
        Effect.succeed({
          providers: providers.map((p) => ({ type: p.type, displayName: p.displayName, icon: p.icon })),
          legacyFirebaseEnabled: false
        }))
      .handle("login", ({ path, urlParams }) =>
        Effect.gen(function*() {
          const provider = yield* providerOf(path.type)
          const request = yield* HttpServerRequest.HttpServerRequest
          const wait = yield* starts.blocked(clientAddress(request))
          if (Option.isSome(wait)) return yield* tooManyRequests(wait.value)
          yield* starts.recordFailure(clientAddress(request))
          const secrets = yield* provider.prepare
          const { state } = yield* store(loginStates.begin({
            providerType: provider.type,
            ...secrets,
            returnTo: safeReturnTo(urlParams.return_to)
          }))
          const url = yield* provider.authorizeUrl({ ...secrets, state, redirectUri: redirectUri(settings, request, provider.type) })
            .pipe(Effect.catchAll((e) =>
              Effect.zipRight(Effect.logWarning(`sign-in via ${provider.type}: ${e.reason}`), providerUnavailable(provider.type))
            ))
          // The cookie ties the callback to the browser that started the login (login CSRF).
          return HttpServerResponse.redirect(url, { status: 302 }).pipe(
            HttpServerResponse.unsafeSetCookie(
              STATE_COOKIE,
              state,
              cookieOptions(settings, request, { path: STATE_COOKIE_PATH, maxAge: Duration.minutes(10) })
            )
          )
        }))
      .handle("devStubPicker", ({ urlParams }) =>
        Effect.gen(function*() {
          yield* providerOf(DEV_STUB)
          return htmlPage(pickerPage(settings.devUsers, urlParams.state))
        }))
      .handle("callback", ({ path, urlParams }) =>
        Effect.gen(function*() {
          const request = yield* HttpServerRequest.HttpServerRequest
          const client = clientAddress(request)
          const wait = yield* limiter.blocked(client)
          if (Option.isSome(wait)) return yield* tooManyRequests(wait.value)
          const provider = yield* providerOf(path.type)
          // Every refusal looks the same to the client; the log says which check failed.
          const refuse = (why: string): Effect.Effect<never, SignInFailed> =>
            Effect.zipRight(
              Effect.zipRight(Effect.logWarning(`sign-in via ${provider.type} refused: ${why}`), limiter.recordFailure(client)),
              signInFailed
            )
          // Which of two codes or states would be the one to check is anyone's guess: neither.
          const once: Record<string, string> = {}
          for (const [name, value] of Object.entries(urlParams)) {
            if (typeof value !== "string") return yield* refuse(`the parameter ${name.replace(/[^\w.-]/g, "?").slice(0, 40)} was given more than once`)
            once[name] = value
          }
          const query = new URLSearchParams(once)
          const state = query.get("state") ?? ""
          const expected = request.cookies[STATE_COOKIE] ?? ""
          if (state === "" || expected === "" || !sameSecret(state, expected)) {
            return yield* refuse("the state does not match the one given to this browser")
          }
          const login = yield* store(loginStates.take(state))
          if (Option.isNone(login) || login.value.providerType !== provider.type) {
            return yield* refuse("unknown, expired or already used state")
          }
          const error = query.get("error")
          // The error code is the client's text: only its safe characters reach the log.
          if (error !== null) return yield* refuse(`the provider answered ${error.replace(/[^\w.-]/g, "?").slice(0, 60)}`)
          const user = yield* provider.complete({
            codeVerifier: login.value.codeVerifier,
            nonce: login.value.nonce,
            state,
            redirectUri: redirectUri(settings, request, provider.type),
            query
          }).pipe(
            Effect.catchAll((e): Effect.Effect<never, SignInFailed | ProviderUnavailable> =>
              e._tag === "Rejected"
                ? refuse(e.reason)
                : Effect.zipRight(Effect.logWarning(`sign-in via ${provider.type}: ${e.reason}`), providerUnavailable(provider.type))
            )
          )
          const applicant = { uid: `${provider.type}:${user.externalId}`, providerType: provider.type, email: user.email, emailVerified: user.emailVerified }
          if (!admission.admits(applicant)) {
            yield* Effect.logWarning(`sign-in via ${provider.type} denied by the allowed domains/users`)
            yield* limiter.recordFailure(client)
            return htmlPage(deniedPage, { status: 403 })
          }
          const principal: Omit<Principal, "via"> = {
            ...applicant,
            displayName: user.displayName,
            workspaces: [personalWorkspace(applicant.uid)],
            isSiteAdmin: admission.isSiteAdmin(applicant)
          }
          yield* store(users.recordLogin(principal))
          const session = yield* store(sessions.create(principal, settings.sessionTtl))
          yield* Effect.logInfo(`signed in via ${provider.type}`)
          return HttpServerResponse.redirect(frontendTarget(settings, login.value.returnTo), { status: 302 }).pipe(
            HttpServerResponse.unsafeSetCookie(
              SESSION_COOKIE,
              session.sid,
              cookieOptions(settings, request, { path: "/", expires: session.expiresAt })
            ),
            HttpServerResponse.expireCookie(STATE_COOKIE, { path: STATE_COOKIE_PATH })
          )
        }))
      .handle("logout", () =>
        Effect.gen(function*() {
          const request = yield* HttpServerRequest.HttpServerRequest
          const sid = request.cookies[SESSION_COOKIE]
          if (sid !== undefined && originOf(request, settings.allowedOrigins) === "foreign") {
            return yield* forbidden("logout must come from the web UI's origin")
          }
          if (sid !== undefined && sid !== "") yield* store(sessions.remove(sid))
          return HttpServerResponse.empty({ status: 204 }).pipe(HttpServerResponse.expireCookie(SESSION_COOKIE, { path: "/" }))
        }))
  }))

export const SessionLive = HttpApiBuilder.group(DocportApi, "session", (handlers) =>
  Effect.gen(function*() {
    const tokens = yield* AccessTokens
    const sessions = yield* Sessions
    return handlers
      .handle("me", () =>
        Effect.map(currentUser, (p) => ({
          uid: p.uid,
          displayName: p.displayName,
          email: p.email,
          providerType: p.providerType,
          workspaces: p.workspaces,
          isSiteAdmin: p.isSiteAdmin
        })))
      // docport's providers report no memberships beyond the personal workspace, so that is what a
      // session's user belongs to now; site admin is what SITE_ADMINS says, as on every request.
      .handle("refreshWorkspaces", () =>
        Effect.gen(function*() {
          const user = yield* currentUser
          const now = { workspaces: [personalWorkspace(user.uid)], isSiteAdmin: user.isSiteAdmin }
          const request = yield* HttpServerRequest.HttpServerRequest
          const sid = user.via === "session" ? request.cookies[SESSION_COOKIE] : undefined
          const before = sid === undefined ? Option.none() : yield* store(sessions.refresh(sid, now))
          return workspaceChanges(Option.getOrElse(before, () => now), now)
        }))
      .handle("createToken", ({ payload }) =>
        Effect.gen(function*() {
          const user = yield* currentUser
          // A stolen token must not be able to mint more.
          if (user.via === "token") return yield* forbidden("access tokens are created from a signed-in session, not with a token")
          const days = payload.expiresInDays ?? DEFAULT_TOKEN_DAYS
          return yield* store(tokens.create(user, payload.name, Duration.millis(Math.round(days * 86_400_000))))
        }))
      .handle("listTokens", () => Effect.flatMap(currentUser, (user) => store(tokens.list(user.uid))))
      .handle("revokeToken", ({ path }) =>
        Effect.flatMap(currentUser, (user) =>
          tokens.revoke(user.uid, path.id).pipe(
            Effect.catchTag("NotFound", () =>
              Effect.fail(new TokenNotFound({ message: "no such token", detail: "no such token" }))),
            Effect.catchTag("DatabaseError", storeFailure)
          )))
  }))
