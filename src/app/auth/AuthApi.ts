import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import { Schema } from "effect"
import { AccessTokenInfo } from "../../domain/AccessTokens.js"
import { LINE_BREAKING_OR_INVISIBLE, showsSomething } from "../../domain/InvisibleText.js"
import { WellFormedString } from "../../domain/Json.js"
import { Workspace } from "../../domain/Principal.js"
import { WorkspaceChanges } from "../../domain/WorkspaceRefresh.js"
import {
  AuthStoreFailed,
  AuthStoreUnavailable,
  Forbidden,
  ProviderUnavailable,
  SignInFailed,
  TokenNotFound,
  TooManyRequests,
  UnknownProvider
} from "./AuthErrors.js"
import { readable } from "../http/ReadableIssue.js"
import { signedIn } from "./CurrentUser.js"

/** GET /auth/providers, as Gofannon's `AuthProvidersResponse` (models/auth.py). */
export const AuthProvidersResponse = Schema.Struct({
  providers: Schema.Array(Schema.Struct({
    type: Schema.String,
    displayName: Schema.String,
    icon: Schema.NullOr(Schema.String)
  })),
  legacyFirebaseEnabled: Schema.Boolean
}).annotations({ identifier: "AuthProvidersResponse" })

/** GET /auth/me, as Gofannon's `SessionUser` (models/session.py). */
export const SessionUser = Schema.Struct({
  uid: Schema.String,
  displayName: Schema.String,
  email: Schema.NullOr(Schema.String),
  providerType: Schema.String,
  workspaces: Schema.Array(Workspace),
  isSiteAdmin: Schema.Boolean
}).annotations({ identifier: "SessionUser" })

// One second: anything shorter made a token that had expired when it was answered, and whose
// first use then counted as a failed sign-in of its holder.
const SHORTEST_DAYS = 1 / 86_400

export const TokenCreate = Schema.Struct({
  // A name is one line of a list in the UI, which tells tokens apart by it: something to see, and
  // nothing that breaks the line or hides or reorders text.
  name: WellFormedString.pipe(
    Schema.minLength(1),
    Schema.maxLength(100),
    Schema.filter((name) => showsSomething(name) || "must not be blank (white space or invisible characters only)"),
    Schema.filter((name) =>
      !LINE_BREAKING_OR_INVISIBLE.test(name) || "must not hold control characters (a newline, NUL, an escape) or invisible ones (zero-width, bidirectional controls)"
    )
  ),
  /** Default 90 days; at most a year; at least a second. */
  expiresInDays: Schema.optional(Schema.Number.pipe(
    Schema.filter((days) => (days >= SHORTEST_DAYS && days <= 366) || "must be a number of days from one second (1/86400) to 366")
  ))
}).annotations({ identifier: "TokenCreate" })

export const TokenCreated = Schema.Struct({
  ...AccessTokenInfo.fields,
  /** Shown this once; only its SHA-256 is stored. */
  token: Schema.String
}).annotations({ identifier: "TokenCreated" })

const TypeParam = Schema.Struct({ type: Schema.String })
const Redirect = HttpApiSchema.Empty(302)
const Html = Schema.String.pipe(HttpApiSchema.withEncoding({ kind: "Text", contentType: "text/html" }))

/** The sign-in entry points: no principal needed to reach them. */
export class AuthApi extends HttpApiGroup.make("auth")
  .add(HttpApiEndpoint.get("providers", "/auth/providers").addSuccess(AuthProvidersResponse))
  .add(
    HttpApiEndpoint.get("login", "/auth/login/:type").setPath(TypeParam)
      .setUrlParams(readable(Schema.Struct({ return_to: Schema.optional(Schema.String) })))
      .addSuccess(Redirect).addError(UnknownProvider).addError(ProviderUnavailable).addError(TooManyRequests)
  )
  .add(
    HttpApiEndpoint.get("devStubPicker", "/auth/dev-stub-picker")
      .setUrlParams(readable(Schema.Struct({ state: Schema.String }))).addSuccess(Html).addError(UnknownProvider)
  )
  .add(
    HttpApiEndpoint.get("callback", "/auth/callback/:type").setPath(TypeParam)
      // A repeated parameter arrives as an array; the handler refuses it as a failed sign-in.
      .setUrlParams(Schema.Record({ key: Schema.String, value: Schema.Union(Schema.String, Schema.Array(Schema.String)) }))
      .addSuccess(Redirect).addError(UnknownProvider).addError(SignInFailed).addError(Forbidden)
      .addError(TooManyRequests).addError(ProviderUnavailable)
  )
  .add(HttpApiEndpoint.post("logout", "/auth/logout").addSuccess(HttpApiSchema.NoContent).addError(Forbidden))
  .addError(AuthStoreFailed).addError(AuthStoreUnavailable)
{}

/** Who is signed in, and the personal access tokens of that user. */
export class SessionApi extends signedIn(
  HttpApiGroup.make("session")
    .add(HttpApiEndpoint.get("me", "/auth/me").addSuccess(SessionUser))
    .add(HttpApiEndpoint.post("refreshWorkspaces", "/auth/refresh-workspaces").addSuccess(WorkspaceChanges))
    .add(HttpApiEndpoint.post("createToken", "/auth/tokens").setPayload(readable(TokenCreate)).addSuccess(TokenCreated, { status: 201 }))
    .add(HttpApiEndpoint.get("listTokens", "/auth/tokens").addSuccess(Schema.Array(AccessTokenInfo)))
    .add(
      HttpApiEndpoint.del("revokeToken", "/auth/tokens/:id").setPath(Schema.Struct({ id: Schema.String }))
        .addSuccess(HttpApiSchema.NoContent).addError(TokenNotFound)
    )
    .addError(AuthStoreFailed).addError(AuthStoreUnavailable)
) {}
