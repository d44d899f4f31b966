import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import { Config, Effect, Layer, Option, Redacted } from "effect"
import { sameSecret } from "../../domain/Secrets.js"
import { checked } from "../checkedConfig.js"
import { forbidden, type Forbidden, type TooManyRequests, tooManyRequests, type Unauthorized, unauthorized } from "./AuthErrors.js"
import { AdminGate } from "./AdminGate.js"
import { clientOf } from "./Authenticate.js"
import { FailureLimiter } from "./FailureLimiter.js"
import { SignInSettings } from "./SignInSettings.js"

/** The password guards every user's allowance: one a person could guess is refused at start-up. */
export const MIN_ADMIN_PASSWORD_LENGTH = 12
export const ADMIN_PASSWORD_HEADER = "x-admin-password"

/** ADMIN_PANEL_PASSWORD: the admin routes are served only when it is set (Gofannon's admin panel). */
export const adminPasswordConfig = Config.option(checked(
  "ADMIN_PANEL_PASSWORD",
  Config.redacted("ADMIN_PANEL_PASSWORD"),
  `the admin password must be at least ${MIN_ADMIN_PASSWORD_LENGTH} characters; unset it to turn the admin routes off`,
  (password) => Redacted.value(password).length >= MIN_ADMIN_PASSWORD_LENGTH
))

/**
 * What a header's value may stand for. Node reads a header's bytes as Latin-1: a browser sends a
 * password such as `Pässwört` that way (a byte a character), curl and most programs as UTF-8 (two
 * bytes for `ä`), which read as Latin-1 matched nothing; either is the password typed.
 */
const spellings = (given: string): ReadonlyArray<string> => {
  const asUtf8 = Buffer.from(given, "latin1").toString("utf8")
  return asUtf8 === given ? [given] : [given, asUtf8]
}

/**
 * The check in front of each admin route: 403 when no password is configured, 401 for a wrong or
 * missing one (counted as a failed sign-in of the client, so guessing meets 429 as token guessing
 * does), after the route's own sign-in.
 */
export const makeAdminGate = Effect.gen(function*() {
  const password = yield* adminPasswordConfig
  const settings = yield* SignInSettings
  const limiter = yield* FailureLimiter
  const client = clientOf(settings)
  return (request: HttpServerRequest.HttpServerRequest): Effect.Effect<void, Forbidden | Unauthorized | TooManyRequests> =>
    Effect.gen(function*() {
      if (Option.isNone(password)) return yield* forbidden("Admin panel is disabled")
      const address = client(request)
      const wait = yield* limiter.blocked(address)
      if (Option.isSome(wait)) return yield* tooManyRequests(wait.value)
      const given = request.headers[ADMIN_PASSWORD_HEADER]
      if (given !== undefined && spellings(given).some((spelling) => sameSecret(spelling, Redacted.value(password.value)))) return
      yield* limiter.recordFailure(address)
      yield* Effect.logWarning("admin route refused: wrong or missing admin password")
      return yield* unauthorized("not_authenticated", "Invalid admin password")
    })
})

export const AdminGateLive = Layer.effect(AdminGate, Effect.map(makeAdminGate, (gate) => Effect.flatMap(HttpServerRequest.HttpServerRequest, gate)))
