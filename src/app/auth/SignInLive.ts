import { Effect, Layer } from "effect"
import * as AccessTokens from "../../domain/AccessTokens.js"
import * as LoginStates from "../../domain/LoginStates.js"
import * as Sessions from "../../domain/Sessions.js"
import * as Users from "../../domain/Users.js"
import * as Authenticate from "./Authenticate.js"
import { AuthLive, SessionLive } from "./AuthHttp.js"
import * as AuthProviders from "./AuthProviders.js"
import * as FailureLimiter from "./FailureLimiter.js"
import * as SignInSettings from "./SignInSettings.js"

/** The handlers of the sign-in routes. */
export const AuthHandlersLive = Layer.mergeAll(AuthLive, SessionLive)

/** The middleware that guards the data routes: every group declaring it needs it. */
export const AuthenticationLive = Authenticate.layer

const limiter = Layer.unwrapEffect(
  Effect.map(SignInSettings.SignInSettings, (s) =>
    FailureLimiter.layer({ maxFailures: s.maxFailures, window: s.failureWindow }))
)

/** Settings (checked against the listening address), providers, the failure limiter and the stores, over the port. */
export const SignInLive = Layer.mergeAll(
  AuthProviders.layer,
  limiter,
  Sessions.layer,
  Users.layer,
  AccessTokens.layer,
  LoginStates.layer
).pipe(Layer.provideMerge(SignInSettings.layer))
