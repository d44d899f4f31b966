import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { DatabaseServiceShape } from "../../src/ports/DatabaseService.js"
import { startDocport, freePortNow, type RunningDocport } from "../support/AuthServer.js"
import { Browser } from "../support/Browser.js"
import { startOpenIdProvider, type OpenIdProvider } from "../support/OpenIdProvider.js"
import { FRONTEND, json, run, sha256, sharedMemoryDatabase, signIn } from "../support/SignInHelpers.js"

const TYPE = "test"

let provider: OpenIdProvider
let docport: RunningDocport
let db: DatabaseServiceShape

beforeAll(async () => {
  const [docportPort, providerPort] = [await freePortNow(), await freePortNow()]
  provider = await startOpenIdProvider({
    port: providerPort,
    clientId: "docport",
    clientSecret: "docport-secret",
    redirectUris: [`http://127.0.0.1:${docportPort}/auth/callback/${TYPE}`],
    accounts: {
      ann: { email: "ann@example.com", name: "Ann Example" },
      root: { email: "root@elsewhere.org", name: "Root" },
      eve: { email: "eve@evil.test", name: "Eve" }
    }
  })
  const shared = await sharedMemoryDatabase()
  db = shared.db
  docport = await startDocport({
    AUTH_PROVIDERS: TYPE,
    AUTH_TEST_ISSUER: provider.issuer,
    AUTH_TEST_CLIENT_ID: "docport",
    AUTH_TEST_CLIENT_SECRET: "docport-secret",
    AUTH_TEST_DISPLAY_NAME: "Test IdP",
    AUTH_TEST_ALLOWED_DOMAINS: "example.com",
    SITE_ADMINS: "test:root",
    FRONTEND_URL: FRONTEND,
    // The attacks below fail many times from one address; the limit has its own tests.
    AUTH_MAX_FAILURES: "1000"
  }, { port: docportPort, database: shared.layer })
}, 60_000)

afterAll(async () => {
  await docport?.close()
  await provider?.close()
})

const me = (browser: Browser) => browser.fetch(`${docport.base}/auth/me`)

/** Signs in at the real provider as `account`, with the token response altered as `tamper` says. */
const attempt = async (account: string, tamper: OpenIdProvider["tamper"] = "none", rewrite?: (url: URL) => URL) => {
  provider.nextAccount = account
  provider.tamper = tamper
  const browser = new Browser(FRONTEND)
  try {
    const end = await signIn(browser, docport.base, TYPE, { returnTo: "/agents?tab=mine", ...(rewrite ? { rewrite } : {}) })
    return { browser, end }
  } finally {
    provider.tamper = "none"
  }
}

const expectRefused = async ({ browser, end }: Awaited<ReturnType<typeof attempt>>) => {
  expect(end.stoppedAt).toBeUndefined()
  expect(end.response!.status).toBe(400)
  const body = await json(end.response!)
  expect(body).toEqual({
    _tag: "SignInFailed",
    message: "sign-in failed; please start again from the sign-in page",
    detail: "sign-in failed; please start again from the sign-in page"
  })
  expect(await browser.cookie(docport.base, "gofannon_sid")).toBeUndefined()
  expect((await me(browser)).status).toBe(401)
}

describe("OpenID Connect sign-in against a real provider (oidc-provider)", () => {
  it("lists the provider for the login page", async () => {
    const res = await new Browser().fetch(`${docport.base}/auth/providers`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      providers: [{ type: TYPE, displayName: "Test IdP", icon: null }],
      legacyFirebaseEnabled: false
    })
  })

  it("login, callback, /auth/me, a data call, logout: the whole browser flow", async () => {
    const { browser, end } = await attempt("ann")
    expect(end.stoppedAt?.href).toBe(`${FRONTEND}/agents?tab=mine`)
    // The authorization request carried PKCE (S256), state and nonce.
    const authorize = new URL(browser.hops.find((h) => h.url.startsWith(`${provider.issuer}/auth?`))!.url)
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256")
    expect(authorize.searchParams.get("code_challenge")?.length).toBeGreaterThan(40)
    expect(authorize.searchParams.get("state")?.length).toBeGreaterThan(40)
    expect(authorize.searchParams.get("nonce")?.length).toBeGreaterThan(20)
    expect(authorize.searchParams.get("redirect_uri")).toBe(`${docport.base}/auth/callback/${TYPE}`)

    const sid = await browser.cookie(docport.base, "gofannon_sid")
    expect(sid).toBeDefined()
    expect(sid!.httpOnly).toBe(true)
    expect(sid!.sameSite).toBe("lax")
    expect(sid!.secure).toBe(false) // plain http without an https PUBLIC_URL
    expect(sid!.value.length).toBeGreaterThanOrEqual(43)
    const hoursLeft = ((sid!.expires as Date).getTime() - Date.now()) / 3_600_000
    expect(hoursLeft).toBeGreaterThan(23.9)
    expect(hoursLeft).toBeLessThanOrEqual(24)
    // The state cookie is gone once used.
    expect(await browser.cookie(`${docport.base}/auth/callback/${TYPE}`, "gofannon_auth_state")).toBeUndefined()

    const who = await me(browser)
    expect(who.status).toBe(200)
    expect(await who.json()).toEqual({
      uid: "test:ann",
      displayName: "Ann Example",
      email: "ann@example.com",
      providerType: TYPE,
      workspaces: [{ workspaceId: "personal:test:ann", role: "admin", displayName: "Personal", source: "auto_personal" }],
      isSiteAdmin: false
    })

    // The session is stored under the cookie's digest only; the user document was written.
    const session = await run(db.get("user_sessions", sha256(sid!.value)))
    expect(session).toMatchObject({ userUid: "test:ann", providerType: TYPE })
    expect(JSON.stringify(session)).not.toContain(sid!.value)
    const user = await run(db.get("users", "test:ann"))
    expect(user).toMatchObject({ basicInfo: { displayName: "Ann Example", email: "ann@example.com" } })

    const created = await browser.fetch(`${docport.base}/agents`, {
      method: "POST",
      body: { name: "Weather", description: "d", code: "print(1)" }
    })
    expect(created.status).toBe(201)
    expect(await created.json()).toMatchObject({ createdBy: "test:ann", updatedBy: "test:ann" })
    expect((await browser.fetch(`${docport.base}/agents`)).status).toBe(200)

    const out = await browser.fetch(`${docport.base}/auth/logout`, { method: "POST" })
    expect(out.status).toBe(204)
    expect(await browser.cookie(docport.base, "gofannon_sid")).toBeUndefined()
    await expect(run(db.get("user_sessions", sha256(sid!.value)))).rejects.toThrow()
    const after = await me(browser)
    expect(after.status).toBe(401)
    expect(after.headers.get("x-auth-reason")).toBe("not_authenticated")
    // The old cookie, kept by someone, no longer opens anything.
    const replay = await fetch(`${docport.base}/agents`, { headers: { cookie: `gofannon_sid=${sid!.value}` } })
    expect(replay.status).toBe(401)
    expect(replay.headers.get("x-auth-reason")).toBe("session_expired")
  }, 30_000)

  it("a user on the site-admin allowlist signs in as site admin even outside the allowed domains", async () => {
    const { browser, end } = await attempt("root")
    expect(end.stoppedAt?.origin).toBe(FRONTEND)
    expect(await (await me(browser)).json()).toMatchObject({ uid: "test:root", isSiteAdmin: true })
  }, 30_000)

  it("a user outside the allowed domains is denied with a page, and gets no session", async () => {
    const { browser, end } = await attempt("eve")
    expect(end.response!.status).toBe(403)
    expect(end.response!.headers.get("x-frame-options")).toBe("DENY")
    expect(await end.response!.text()).toContain("Login denied")
    expect(await browser.cookie(docport.base, "gofannon_sid")).toBeUndefined()
  }, 30_000)

  it("refuses an ID token whose nonce is another login's", async () => {
    await expectRefused(await attempt("ann", "nonce"))
  }, 30_000)

  it("refuses an ID token issued for another client (wrong audience)", async () => {
    await expectRefused(await attempt("ann", "audience"))
  }, 30_000)

  it("refuses an ID token from another issuer", async () => {
    await expectRefused(await attempt("ann", "issuer"))
  }, 30_000)

  it("refuses an ID token signed with another key under the provider's key id", async () => {
    await expectRefused(await attempt("ann", "foreignKey"))
  }, 30_000)

  it("refuses an expired ID token", async () => {
    await expectRefused(await attempt("ann", "expired"))
  }, 30_000)

  it("refuses a callback whose state was tampered with", async () => {
    await expectRefused(
      await attempt("ann", "none", (url) => {
        if (url.pathname === `/auth/callback/${TYPE}`) url.searchParams.set("state", "forged-state-value-0000000000000000000000000")
        return url
      })
    )
  }, 30_000)

  it("refuses a code whose PKCE challenge was swapped on the way to the provider", async () => {
    await expectRefused(
      await attempt("ann", "none", (url) => {
        if (url.pathname === "/auth" && url.origin === provider.issuer) {
          url.searchParams.set("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        }
        return url
      })
    )
  }, 30_000)

  it("login CSRF: a callback URL made in the attacker's browser does not sign the victim in", async () => {
    provider.nextAccount = "ann"
    const attacker = new Browser(FRONTEND)
    const stopped = await signIn(attacker, docport.base, TYPE, { stopAt: (url) => url.pathname.startsWith("/auth/callback/") })
    const victim = new Browser(FRONTEND)
    const end = await victim.navigate(stopped.stoppedAt!, { stopAt: (url) => url.origin === FRONTEND })
    await expectRefused({ browser: victim, end })
  }, 30_000)

  it("login CSRF: nor when the victim has a login of their own under way (the state must be the browser's own)", async () => {
    provider.nextAccount = "ann"
    const attacker = new Browser(FRONTEND)
    const stopped = await signIn(attacker, docport.base, TYPE, { stopAt: (url) => url.pathname.startsWith("/auth/callback/") })
    const victim = new Browser(FRONTEND)
    // The victim's own login stops at the provider: the victim holds a state cookie of its own.
    await signIn(victim, docport.base, TYPE, { stopAt: (url) => url.origin === provider.issuer })
    expect(await victim.cookie(`${docport.base}/auth/callback/${TYPE}`, "gofannon_auth_state")).toBeDefined()
    const end = await victim.navigate(stopped.stoppedAt!, { stopAt: (url) => url.origin === FRONTEND })
    await expectRefused({ browser: victim, end })
  }, 30_000)

  it("a callback cannot be replayed: the login state is used up, even with the state cookie put back", async () => {
    provider.nextAccount = "ann"
    const browser = new Browser(FRONTEND)
    const stopped = await signIn(browser, docport.base, TYPE, { stopAt: (url) => url.pathname.startsWith("/auth/callback/") })
    const stateCookie = await browser.cookie(`${docport.base}/auth/callback/${TYPE}`, "gofannon_auth_state")
    const first = await browser.navigate(stopped.stoppedAt!, { stopAt: (url) => url.origin === FRONTEND })
    expect(first.stoppedAt?.origin).toBe(FRONTEND)
    const replayer = new Browser(FRONTEND)
    await replayer.jar.setCookie(stateCookie!, docport.base + `/auth/callback/${TYPE}`)
    const second = await replayer.navigate(stopped.stoppedAt!, { stopAt: (url) => url.origin === FRONTEND })
    await expectRefused({ browser: replayer, end: second })
  }, 30_000)

  it("an unknown provider type is a 404 with the UI's detail", async () => {
    const res = await new Browser().fetch(`${docport.base}/auth/login/github`)
    expect(res.status).toBe(404)
    expect(await res.json()).toMatchObject({ _tag: "NotFound", detail: "Unknown provider: github" })
  })
})
