import { Effect, Option, Redacted, SynchronizedRef } from "effect"
import * as client from "openid-client"
import type { OidcSettings } from "./AuthConfig.js"
import type { AuthProvider, ProviderUser, Rejected, Unreachable } from "./AuthProvider.js"

/** Seconds any one request to the provider may take (discovery, keys, token exchange). */
const PROVIDER_TIMEOUT_SECONDS = 10

const isNetworkFailure = (error: unknown) =>
  error instanceof TypeError ||
  (error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError"))

/** A code or a class name for the log; provider messages may quote what they received, so they stay out. */
const reasonOf = (error: unknown): string => {
  if (error instanceof client.ResponseBodyError) return `token endpoint said ${error.error}`
  if (error instanceof client.AuthorizationResponseError) return `authorization response said ${error.error}`
  if (error instanceof client.ClientError) return error.code ?? error.name
  return error instanceof Error ? error.name : "unknown error"
}

const classify = (error: unknown): Rejected | Unreachable =>
  isNetworkFailure(error)
    ? { _tag: "Unreachable", reason: reasonOf(error) }
    : { _tag: "Rejected", reason: reasonOf(error) }

/**
 * An OpenID Connect provider (Google, Microsoft Entra, Keycloak, …) through openid-client:
 * authorization code with PKCE (S256), state and nonce; the ID token's signature (against the
 * issuer's published keys), issuer, audience, nonce and expiry are checked by the library.
 */
export const make = (settings: OidcSettings) =>
  Effect.gen(function*() {
    const discover = Effect.tryPromise({
      try: async () => {
        const auth = Option.match(settings.clientSecret, {
          onNone: () => client.None(),
          onSome: (secret) => client.ClientSecretPost(Redacted.value(secret))
        })
        const config = await client.discovery(settings.issuer, settings.clientId, undefined, auth, {
          timeout: PROVIDER_TIMEOUT_SECONDS,
          // http is accepted only for a loopback issuer (checked with the configuration), i.e. tests.
          execute: settings.issuer.protocol === "http:" ? [client.allowInsecureRequests] : []
        })
        // Verify the ID token's signature even though it came straight from the token endpoint.
        client.enableNonRepudiationChecks(config)
        return config
      },
      catch: classify
    }).pipe(
      Effect.mapError((e): Unreachable => ({ _tag: "Unreachable", reason: `discovery: ${e.reason}` })),
      Effect.withSpan("Oidc.discovery", { attributes: { provider: settings.type } })
    )

    // Discovered once, on first use; a failed discovery is tried again by the next login.
    const cache = yield* SynchronizedRef.make(Option.none<client.Configuration>())
    const configuration = SynchronizedRef.modifyEffect(cache, (current) =>
      Option.match(current, {
        onSome: (config) => Effect.succeed([config, current] as const),
        onNone: () => Effect.map(discover, (config) => [config, Option.some(config)] as const)
      }))

    // OpenID subjects are case-sensitive: `ROOT` is another account than `root`. Addresses are not,
    // and an entry with an `@` is an address only: as a subject, an account whose subject looks
    // like an address would be let in without the provider vouching for any address.
    const allowedSubjects = new Set(settings.allowedUsers.filter((u) => !u.includes("@")))
    const allowedEmails = new Set(settings.allowedUsers.filter((u) => u.includes("@")).map((u) => u.toLowerCase()))
    const allowedDomains = new Set(settings.allowedDomains)

    const provider: AuthProvider = {
      type: settings.type,
      displayName: settings.displayName,
      icon: settings.icon,
      prepare: Effect.sync(() => ({ codeVerifier: client.randomPKCECodeVerifier(), nonce: client.randomNonce() })),
      authorizeUrl: ({ codeVerifier, nonce, redirectUri, state }) =>
        Effect.gen(function*() {
          const config = yield* configuration
          const challenge = yield* Effect.promise(() => client.calculatePKCECodeChallenge(codeVerifier ?? ""))
          return client.buildAuthorizationUrl(config, {
            redirect_uri: redirectUri,
            scope: settings.scopes,
            code_challenge: challenge,
            code_challenge_method: "S256",
            state,
            nonce: nonce ?? ""
          }).href
        }),
      complete: ({ codeVerifier, nonce, query, redirectUri, state }) =>
        Effect.gen(function*() {
          const config = yield* configuration
          // Without PUBLIC_URL the callback URL is built from the request's Host, which the client writes.
          const currentUrl = yield* Effect.try({
            try: () => new URL(redirectUri),
            catch: (): Rejected => ({ _tag: "Rejected", reason: "the request's Host header makes no valid callback URL" })
          })
          currentUrl.search = query.toString()
          const tokens = yield* Effect.tryPromise({
            try: () =>
              client.authorizationCodeGrant(config, currentUrl, {
                pkceCodeVerifier: codeVerifier ?? "",
                expectedState: state,
                expectedNonce: nonce ?? "",
                idTokenExpected: true
              }, { redirect_uri: redirectUri }),
            catch: classify
          }).pipe(Effect.withSpan("Oidc.codeGrant", { attributes: { provider: settings.type } }))
          const claims = tokens.claims()
          if (claims === undefined) return yield* Effect.fail<Rejected>({ _tag: "Rejected", reason: "no ID token" })
          // Many providers put e-mail and name only in the UserInfo response; the library checks its subject.
          const info = claims.email !== undefined ? claims : yield* Effect.tryPromise({
            try: () => client.fetchUserInfo(config, tokens.access_token, claims.sub),
            catch: classify
          }).pipe(Effect.withSpan("Oidc.userInfo", { attributes: { provider: settings.type } }))
          const str = (v: unknown) => typeof v === "string" && v.length > 0 ? v : null
          const email = str(info.email)
          return {
            externalId: claims.sub,
            displayName: str(info.name) ?? email ?? claims.sub,
            email,
            emailVerified: info.email_verified === true
          } satisfies ProviderUser
        }),
      allows: (user) => {
        if (settings.allowAnyUser) return true
        if (allowedSubjects.has(user.externalId)) return true
        // An e-mail address counts only when the provider vouches for it.
        if (user.email === null || !user.emailVerified) return false
        const email = user.email.toLowerCase()
        return allowedEmails.has(email) || allowedDomains.has(email.slice(email.lastIndexOf("@") + 1))
      }
    }
    return provider
  })
