import type { Effect } from "effect"

/** Who the provider says signed in; `externalId` is its stable subject, never reused across providers. */
export interface ProviderUser {
  readonly externalId: string
  readonly displayName: string
  readonly email: string | null
  readonly emailVerified: boolean
}

/** The provider refused or could not prove the sign-in (bad code, state, nonce, signature…): the user starts again. */
export interface Rejected {
  readonly _tag: "Rejected"
  /** For the log only: a code such as OAUTH_JWT_CLAIM_COMPARISON_FAILED, never a token or secret. */
  readonly reason: string
}

/** The provider did not answer: not the user's fault, not counted against them. */
export interface Unreachable {
  readonly _tag: "Unreachable"
  readonly reason: string
}

export interface LoginSecrets {
  readonly codeVerifier: string | null
  readonly nonce: string | null
}

/** One sign-in method, as Gofannon's `AuthProvider` (auth/base.py): where to send the browser, and what came back. */
export interface AuthProvider {
  readonly type: string
  readonly displayName: string
  readonly icon: string | null
  /** Fresh per-login secrets (PKCE verifier, nonce) kept server-side until the callback. */
  readonly prepare: Effect.Effect<LoginSecrets>
  readonly authorizeUrl: (
    params: LoginSecrets & { readonly state: string; readonly redirectUri: string }
  ) => Effect.Effect<string, Unreachable>
  readonly complete: (
    params: LoginSecrets & {
      readonly state: string
      readonly redirectUri: string
      /** The callback's query string, as the provider sent it. */
      readonly query: URLSearchParams
    }
  ) => Effect.Effect<ProviderUser, Rejected | Unreachable>
  /** The provider's own policy (allowed domains or users); site admins are let in before it is asked. */
  readonly allows: (user: ProviderUser) => boolean
}
