import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT } from "jose"
import { createServer, type Server } from "node:http"
import Provider from "oidc-provider"

/** How the provider's token response is altered on its way to docport, as a forger would. */
export type Tamper = "none" | "audience" | "nonce" | "issuer" | "foreignKey" | "expired"

export interface Account {
  readonly email: string
  readonly name: string
  /** Whether the provider vouches for the address (default true). */
  readonly emailVerified?: boolean
}

export interface OpenIdProvider {
  readonly issuer: string
  /** Who signs in at the next login prompt. */
  nextAccount: string
  tamper: Tamper
  readonly close: () => Promise<void>
}

const KID = "test-key-1"

/**
 * A real, certified OpenID Provider (panva's oidc-provider) on a loopback port. The login and
 * consent prompts are answered by the test (as `nextAccount`), everything else is the library's.
 */
export const startOpenIdProvider = async (options: {
  readonly port: number
  readonly clientId: string
  readonly clientSecret: string
  readonly redirectUris: ReadonlyArray<string>
  readonly accounts: Record<string, Account>
}): Promise<OpenIdProvider> => {
  const issuer = `http://127.0.0.1:${options.port}`
  const own = await generateKeyPair("RS256", { extractable: true })
  const forger = await generateKeyPair("RS256", { extractable: true })
  const jwk = { ...(await exportJWK(own.privateKey)), kid: KID, alg: "RS256", use: "sig" }

  const provider = new Provider(issuer, {
    clients: [{
      client_id: options.clientId,
      client_secret: options.clientSecret,
      redirect_uris: [...options.redirectUris],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_post"
    }],
    jwks: { keys: [jwk] },
    cookies: { keys: ["docport-test-cookie-key"] },
    features: { devInteractions: { enabled: false } },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    pkce: { required: () => true },
    findAccount: (_ctx: unknown, id: string) => {
      const account = options.accounts[id]
      if (account === undefined) return undefined
      return { accountId: id, claims: () => ({ sub: id, email: account.email, email_verified: account.emailVerified ?? true, name: account.name }) }
    }
  } as any)

  const state: OpenIdProvider = {
    issuer,
    nextAccount: Object.keys(options.accounts)[0]!,
    tamper: "none",
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }

  // Re-sign the ID token docport receives: with the provider's own key (so only the changed claim
  // is wrong) or with another key under the same key id (so only the signature is wrong).
  provider.use(async (ctx: any, next: () => Promise<void>) => {
    await next()
    if (ctx.path !== "/token" || state.tamper === "none" || typeof ctx.body?.id_token !== "string") return
    const claims = decodeJwt(ctx.body.id_token)
    const header = decodeProtectedHeader(ctx.body.id_token)
    const now = Math.floor(Date.now() / 1000)
    const changed = { ...claims }
    if (state.tamper === "audience") changed.aud = "some-other-client"
    if (state.tamper === "nonce") changed.nonce = "a-nonce-from-another-login"
    if (state.tamper === "issuer") changed.iss = "http://127.0.0.1:1"
    if (state.tamper === "expired") Object.assign(changed, { iat: now - 7200, exp: now - 3600 })
    const key = state.tamper === "foreignKey" ? forger.privateKey : own.privateKey
    ctx.body = { ...ctx.body, id_token: await new SignJWT(changed).setProtectedHeader({ alg: header.alg!, kid: header.kid! }).sign(key) }
  })

  const callback = provider.callback()
  const server: Server = createServer((req, res) => {
    if (!req.url?.startsWith("/interaction/")) return callback(req, res)
    void (async () => {
      const details = await provider.interactionDetails(req, res)
      let result: Record<string, unknown>
      if (details.prompt.name === "login") {
        result = { login: { accountId: state.nextAccount } }
      } else {
        const grant = new provider.Grant({ accountId: details.session!.accountId, clientId: details.params.client_id as string })
        const missing = details.prompt.details as { missingOIDCScope?: Array<string>; missingOIDCClaims?: Array<string> }
        if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "))
        if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims)
        result = { consent: { grantId: await grant.save() } }
      }
      await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false })
    })().catch((error) => {
      res.statusCode = 500
      res.end(String(error))
    })
  })
  await new Promise<void>((resolve) => server.listen(options.port, "127.0.0.1", () => resolve()))
  return state
}
