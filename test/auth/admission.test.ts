import { request } from "node:http"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { Layer } from "effect"
import type { DatabaseService } from "../../src/ports/DatabaseService.js"
import { freePortNow, type RunningDocport, startDocport } from "../support/AuthServer.js"
import { Browser } from "../support/Browser.js"
import { type OpenIdProvider, startOpenIdProvider } from "../support/OpenIdProvider.js"
import { FRONTEND, sharedMemoryDatabase, signIn } from "../support/SignInHelpers.js"

const TYPE = "test"

let provider: OpenIdProvider
let docport: RunningDocport
let database: Layer.Layer<DatabaseService>
let env: Record<string, string>

beforeAll(async () => {
  const [docportPort, providerPort] = [await freePortNow(), await freePortNow()]
  provider = await startOpenIdProvider({
    port: providerPort,
    clientId: "docport",
    clientSecret: "docport-secret",
    redirectUris: [`http://127.0.0.1:${docportPort}/auth/callback/${TYPE}`],
    accounts: {
      ann: { email: "ann@example.com", name: "Ann" },
      // Any provider lets an account claim any address; only a verified one may count.
      mallory: { email: "boss@example.com", name: "Mallory", emailVerified: false },
      root: { email: "root@elsewhere.org", name: "Root" },
      // Another account of the provider: OpenID subjects are case-sensitive.
      ROOT: { email: "impostor@evil.test", name: "Impostor" },
      MALLORY: { email: "m2@evil.test", name: "Other Mallory" },
      // A subject shaped like an address that ALLOWED_USERS lists: the provider vouches for no address.
      "carol@example.org": { email: "x@evil.test", name: "Not Carol", emailVerified: false }
    }
  })
  database = (await sharedMemoryDatabase()).layer
  env = {
    AUTH_PROVIDERS: TYPE,
    AUTH_TEST_ISSUER: provider.issuer,
    AUTH_TEST_CLIENT_ID: "docport",
    AUTH_TEST_CLIENT_SECRET: "docport-secret",
    AUTH_TEST_ALLOWED_DOMAINS: "example.com",
    AUTH_TEST_ALLOWED_USERS: "mallory,carol@example.org",
    SITE_ADMINS: "test:root,boss@example.com",
    FRONTEND_URL: FRONTEND,
    AUTH_MAX_FAILURES: "1000"
  }
  docport = await startDocport(env, { port: docportPort, database })
}, 60_000)

afterAll(async () => {
  await docport?.close()
  await provider?.close()
})

const signedIn = async (account: string) => {
  provider.nextAccount = account
  const browser = new Browser(FRONTEND)
  const end = await signIn(browser, docport.base, TYPE)
  return { browser, end }
}

const meOf = async (browser: Browser, base = docport.base) => {
  const response = await browser.fetch(`${base}/auth/me`)
  return { status: response.status, reason: response.headers.get("x-auth-reason"), body: await response.json() }
}

const withToken = async (token: string, base = docport.base) => {
  const response = await fetch(`${base}/auth/me`, { headers: { authorization: `Bearer ${token}` } })
  return { status: response.status, body: await response.json() }
}

const newToken = async (browser: Browser) => {
  const created = await browser.fetch(`${docport.base}/auth/tokens`, { method: "POST", body: { name: "cli" } })
  expect(created.status).toBe(201)
  return ((await created.json()) as { token: string }).token
}

describe("who is let in, at sign-in and on every request after it", () => {
  it("an address the provider does not vouch for makes no one a site admin: not at sign-in, not on a refresh, not with a token", async () => {
    const { browser, end } = await signedIn("mallory")
    expect(end.stoppedAt?.origin).toBe(FRONTEND) // let in as herself, by her subject
    expect((await meOf(browser)).body).toMatchObject({ uid: "test:mallory", email: "boss@example.com", isSiteAdmin: false })
    const refresh = await browser.fetch(`${docport.base}/auth/refresh-workspaces`, { method: "POST" })
    expect(await refresh.json()).toMatchObject({ siteAdminChanged: false })
    expect((await meOf(browser)).body).toMatchObject({ isSiteAdmin: false })
    expect((await withToken(await newToken(browser))).body).toMatchObject({ uid: "test:mallory", isSiteAdmin: false })
  }, 30_000)

  it("subjects are matched exactly: ROOT is not the site admin root, MALLORY is not the allowed mallory, an address listed is no subject", async () => {
    for (const account of ["ROOT", "MALLORY", "carol@example.org"]) {
      const { browser, end } = await signedIn(account)
      expect(end.response?.status, account).toBe(403)
      expect(await end.response!.text()).toContain("Login denied")
      expect((await meOf(browser)).status).toBe(401)
    }
    const { browser } = await signedIn("root")
    expect((await meOf(browser)).body).toMatchObject({ uid: "test:root", isSiteAdmin: true })
  }, 30_000)

  it("a user taken off the allow list is refused at once: the session as expired (the UI offers to sign in again), the token as invalid", async () => {
    const { browser } = await signedIn("ann")
    const token = await newToken(browser)
    const narrower = await startDocport({ ...env, AUTH_TEST_ALLOWED_DOMAINS: "other.org" }, { database })
    try {
      // The cookie jar sends the session to either server (cookies do not name a port).
      expect(await meOf(browser, narrower.base)).toMatchObject({ status: 401, reason: "session_expired" })
      expect(await withToken(token, narrower.base)).toMatchObject({
        status: 401,
        body: { detail: expect.stringContaining("may no longer sign in") }
      })
      const write = await browser.fetch(`${narrower.base}/agents`, { method: "POST", body: { name: "a", description: "d", code: "c" } })
      expect(write.status).toBe(401)
      // Where ann is still allowed, both still work: nothing was revoked, the policy changed.
      expect((await meOf(browser)).body).toMatchObject({ uid: "test:ann" })
      expect((await withToken(token)).body).toMatchObject({ uid: "test:ann" })
    } finally {
      await narrower.close()
    }
  }, 30_000)

  it("a site admin signed in through a provider since removed from AUTH_PROVIDERS is refused too", async () => {
    const { browser } = await signedIn("root")
    const token = await newToken(browser)
    const without = await startDocport({ ...env, AUTH_PROVIDERS: "dev_stub", APP_ENV: "test" }, { database })
    try {
      expect(await meOf(browser, without.base)).toMatchObject({ status: 401, reason: "session_expired" })
      expect(await withToken(token, without.base)).toMatchObject({ status: 401 })
    } finally {
      await without.close()
    }
  }, 30_000)

  it("a callback whose Host header makes no URL (PUBLIC_URL unset) is a refused sign-in, not a 500", async () => {
    const browser = new Browser(FRONTEND)
    const login = await browser.fetch(`${docport.base}/auth/login/${TYPE}`)
    expect(login.status).toBe(302)
    const state = new URL(login.headers.get("location")!).searchParams.get("state")!
    const url = new URL(docport.base)
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({
        host: url.hostname,
        port: url.port,
        path: `/auth/callback/${TYPE}?code=anything&state=${encodeURIComponent(state)}`,
        headers: { host: "a b", cookie: `gofannon_auth_state=${state}` }
      }, (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.on("error", reject)
      req.end()
    })
    expect(status).toBe(400)
  }, 30_000)

  it("a token made in local mode opens nothing once sign-in is configured over the same database", async () => {
    const local = await startDocport({}, { database })
    try {
      const made = await fetch(`${local.base}/auth/tokens`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "runtime" }) })
      const { token } = (await made.json()) as { token: string }
      expect((await withToken(token, local.base)).body).toMatchObject({ uid: "local:local", isSiteAdmin: true })
      expect(await withToken(token)).toMatchObject({ status: 401 })
    } finally {
      await local.close()
    }
  }, 30_000)
})
