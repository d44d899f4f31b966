import { Clock, Context, Duration, Effect, Layer, Option, Schema } from "effect"
import { DatabaseService } from "../ports/DatabaseService.js"
import { DatabaseError } from "../ports/Errors.js"
import { randomSecret, secretId } from "./Secrets.js"
import { noInvalidName } from "./StoreFailure.js"

export const LOGIN_STATES = "auth_login_states"
/** Long enough for any real sign-in page, short enough that a leaked state is soon worthless. */
export const LOGIN_STATE_TTL = Duration.minutes(10)

/** What a login must remember until its callback: kept server-side, so the browser carries only `state`. */
export const LoginState = Schema.Struct({
  providerType: Schema.String,
  codeVerifier: Schema.NullOr(Schema.String),
  nonce: Schema.NullOr(Schema.String),
  returnTo: Schema.String,
  expiresAt: Schema.String
})
export type LoginState = typeof LoginState.Type
const decode = Schema.decodeUnknownOption(LoginState)

export interface LoginStatesShape {
  readonly begin: (
    fields: Omit<LoginState, "expiresAt">
  ) => Effect.Effect<{ readonly state: string }, DatabaseError>
  /** Single use: the state is deleted as it is read, so a replayed callback finds nothing. */
  readonly take: (state: string) => Effect.Effect<Option.Option<LoginState>, DatabaseError>
}

export class LoginStates extends Context.Tag("docport/LoginStates")<LoginStates, LoginStatesShape>() {}

export const make = Effect.map(DatabaseService, (db): LoginStatesShape => ({
  begin: (fields) =>
    Effect.gen(function*() {
      const state = randomSecret()
      const now = yield* Clock.currentTimeMillis
      const expiresAt = new Date(now + Duration.toMillis(LOGIN_STATE_TTL)).toISOString()
      yield* db.save(LOGIN_STATES, secretId(state), { ...fields, expiresAt }, { mode: "create" })
      return { state }
    }).pipe(
      Effect.catchTag("Conflict", () =>
        Effect.fail(new DatabaseError({ operation: "LoginStates.begin", message: "state id collision" }))),
      noInvalidName("LoginStates.begin"), Effect.withSpan("LoginStates.begin")),
  take: (state) =>
    Effect.gen(function*() {
      const id = secretId(state)
      const doc = yield* db.get(LOGIN_STATES, id).pipe(Effect.catchTag("NotFound", () => Effect.succeed(undefined)))
      if (doc === undefined) return Option.none()
      // The conditional delete decides between two callbacks racing with the same state: one wins.
      const won = yield* db.delete(LOGIN_STATES, id, { expectedRev: doc._rev }).pipe(
        Effect.as(true),
        Effect.catchTags({ NotFound: () => Effect.succeed(false), Conflict: () => Effect.succeed(false) })
      )
      const now = yield* Clock.currentTimeMillis
      return Option.filter(won ? decode(doc) : Option.none(), (s) => Date.parse(s.expiresAt) > now)
    }).pipe(noInvalidName("LoginStates.take"), Effect.withSpan("LoginStates.take"))
}))

export const layer = Layer.effect(LoginStates, make)
