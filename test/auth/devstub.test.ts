import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startDocport, type RunningDocport } from "../support/AuthServer.js"
import { Browser } from "../support/Browser.js"
import { FRONTEND, json, pickUser, signIn } from "../support/SignInHelpers.js"

const DEV_ENV = {
  APP_ENV: "test",
  AUTH_PROVIDERS: "dev_stub",
  AUTH_DEV_USERS: "alice:alice@dev.local,bob",
  FRONTEND_URL: FRONTEND,
  AUTH_MAX_FAILURES: "1000"
}

let docport: RunningDocport
let shortLived: RunningDocport

beforeAll(async () => {
  docport = await startDocport(DEV_ENV)
  shortLived = await startDocport({ ...DEV_ENV, SESSION_TTL_HOURS: "0.0003" }) // about a second
}, 60_000)

afterAll(async () => {
  await docport?.close()
  await shortLived?.close()
})

describe("Gofannon's web UI sign-in sequence (authService.js, fetchInterceptor.js, apiClient.js) against docport", () => {
  it("providers, /auth/me 401, login via the picker, /auth/me, API calls with 'Bearer null' and the cookie, logout", async () => {
    const browser = new Browser(FRONTEND)
    const api = docport.base

    // LoginPage: fetchAuthProviders()
    const providers = await browser.fetch(`${api}/auth/providers`)
    expect(await providers.json()).toEqual({
      providers: [{ type: "dev_stub", displayName: "Dev stub login", icon: "dev" }],
      legacyFirebaseEnabled: false
    })

    // sessionAuth.onAuthStateChanged -> _fetchMe(): a plain 401, which the UI takes as "signed out"
    const anonymous = await browser.fetch(`${api}/auth/me`)
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get("x-auth-reason")).toBe("not_authenticated")
    expect(await anonymous.json()).toMatchObject({ _tag: "Unauthorized", detail: expect.any(String), message: expect.any(String) })

    // sessionAuth.loginWithProvider("dev_stub"): the window goes to /auth/login/dev_stub?return_to=<where it was>
    const end = await pickUser(browser, api, "alice", "/agent/42?tab=code")
    expect(end.stoppedAt?.href).toBe(`${FRONTEND}/agent/42?tab=code`)

    // _fetchMe() again: the user the UI builds from it
    const who = await browser.fetch(`${api}/auth/me`)
    expect(await who.json()).toEqual({
      uid: "dev_stub:alice",
      displayName: "alice",
      email: "alice@dev.local",
      providerType: "dev_stub",
      workspaces: [{ workspaceId: "personal:dev_stub:alice", role: "admin", displayName: "Personal", source: "auto_personal" }],
      isSiteAdmin: false
    })

    // apiClient.request: getIdToken() resolves to null, so it sends "Bearer null"; the interceptor adds the cookie.
    const headers = { authorization: "Bearer null", "content-type": "application/json", accept: "application/json" }
    const created = await browser.fetch(`${api}/agents`, {
      method: "POST",
      headers,
      body: { name: "Weather", description: "d", code: "print(1)" }
    })
    expect(created.status).toBe(201)
    const agent: any = await created.json()
    expect(agent).toMatchObject({ createdBy: "dev_stub:alice", updatedBy: "dev_stub:alice" })
    const list = await browser.fetch(`${api}/agents`, { headers })
    expect(list.status).toBe(200)
    expect(((await list.json()) as any).map((a: { _id: string }) => a._id)).toContain(agent._id)

    // Bob changes it: updatedBy follows, createdBy stays.
    const bob = new Browser(FRONTEND)
    await pickUser(bob, api, "bob")
    const changed = await bob.fetch(`${api}/agents/${agent._id}`, { method: "PUT", headers, body: { description: "bob's" } })
    expect(await changed.json()).toMatchObject({ createdBy: "dev_stub:alice", updatedBy: "dev_stub:bob" })

    // sessionAuth.logout()
    expect((await browser.fetch(`${api}/auth/logout`, { method: "POST" })).status).toBe(204)
    const gone = await browser.fetch(`${api}/auth/me`)
    expect(gone.status).toBe(401)
    expect(gone.headers.get("x-auth-reason")).toBe("not_authenticated")
  }, 30_000)

  it("an expired session is a 401 with X-Auth-Reason: session_expired, which opens the UI's expiry dialog", async () => {
    const browser = new Browser(FRONTEND)
    await pickUser(browser, shortLived.base, "alice")
    expect((await browser.fetch(`${shortLived.base}/agents`)).status).toBe(200)
    const cookie = (await browser.cookie(shortLived.base, "gofannon_sid"))!.value
    await new Promise((r) => setTimeout(r, 1_600))
    // The browser dropped its expired cookie; a client still sending it is told the session expired.
    const res = await fetch(`${shortLived.base}/agents`, { headers: { cookie: `gofannon_sid=${cookie}` } })
    expect(res.status).toBe(401)
    expect(res.headers.get("x-auth-reason")).toBe("session_expired")
    expect(await res.json()).toEqual({
      _tag: "Unauthorized",
      message: "Session expired or invalid",
      detail: "Session expired or invalid"
    })
  }, 30_000)
})

describe("every data route requires a principal", () => {
  it("without a session or token: 401 not_authenticated on the data routes; health, metrics-free docs and sign-in entry points stay open", async () => {
    const anonymous = new Browser(FRONTEND)
    for (
      const [method, path] of [
        ["GET", "/agents"],
        ["POST", "/agents"],
        ["GET", "/agents/x"],
        ["PUT", "/agents/x"],
        ["DELETE", "/agents/x"],
        ["POST", "/agents/x/deploy"],
        ["DELETE", "/agents/x/undeploy"],
        ["GET", "/agents/x/deployment"],
        ["GET", "/deployments"],
        ["GET", "/demos"],
        ["POST", "/demos"],
        ["DELETE", "/demos/x"],
        ["GET", "/auth/me"],
        ["GET", "/auth/tokens"],
        ["POST", "/auth/tokens"]
      ] as const
    ) {
      const res = await anonymous.fetch(`${docport.base}${path}`, {
        method,
        ...(method === "POST" || method === "PUT" ? { body: { name: "x", description: "d", code: "c" } } : {})
      })
      expect(`${method} ${path} ${res.status}`).toBe(`${method} ${path} 401`)
      expect(res.headers.get("x-auth-reason")).toBe("not_authenticated")
      expect(Object.keys((await res.json()) as object).sort()).toEqual(["_tag", "detail", "message"])
    }
    for (const path of ["/health", "/openapi.json", "/docs", "/auth/providers"]) {
      expect(`${path} ${(await anonymous.fetch(`${docport.base}${path}`)).status}`).toBe(`${path} 200`)
    }
  }, 30_000)

  it("the OpenAPI document declares the cookie and bearer schemes on the data routes", async () => {
    const spec: any = await (await fetch(`${docport.base}/openapi.json`)).json()
    expect(Object.keys(spec.components.securitySchemes).sort()).toEqual(["session", "token"])
    expect(spec.components.securitySchemes.session).toMatchObject({ type: "apiKey", in: "cookie", name: "gofannon_sid" })
    // Alternatives: either scheme lets a request in, in whichever order they are listed.
    expect(spec.paths["/agents"].get.security).toHaveLength(2)
    expect(spec.paths["/agents"].get.security).toEqual(expect.arrayContaining([{ session: [] }, { token: [] }]))
    expect(spec.paths["/health"].get.security).toEqual([])
  })
})

describe("CSRF: a change made with the session cookie must come from the web UI's origin", () => {
  it("refuses another site's page, a cross-site fetch and a client sending neither header, and keeps the data", async () => {
    const browser = new Browser(FRONTEND)
    await pickUser(browser, docport.base, "alice")
    const created: any = await (await browser.fetch(`${docport.base}/agents`, {
      method: "POST",
      body: { name: "Keep", description: "d", code: "c" }
    })).json()
    const cookie = await browser.jar.getCookieString(docport.base)
    const attempts: Array<Record<string, string>> = [
      { origin: "https://evil.example" },
      { origin: "null" },
      { origin: "http://localhost:3000.evil.example" },
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site" },
      {}
    ]
    for (const extra of attempts) {
      const res = await fetch(`${docport.base}/agents/${created._id}`, { method: "DELETE", headers: { cookie, ...extra } })
      expect(`${JSON.stringify(extra)} ${res.status}`).toBe(`${JSON.stringify(extra)} 403`)
      expect(await res.json()).toMatchObject({ _tag: "Forbidden", detail: expect.any(String) })
    }
    const logout = await fetch(`${docport.base}/auth/logout`, { method: "POST", headers: { cookie, origin: "https://evil.example" } })
    expect(logout.status).toBe(403)
    expect((await browser.fetch(`${docport.base}/agents/${created._id}`)).status).toBe(200)
    // The same request from the web UI's origin, or same-origin by Sec-Fetch-Site, goes through.
    const ok = await fetch(`${docport.base}/agents/${created._id}`, { method: "DELETE", headers: { cookie, origin: FRONTEND } })
    expect(ok.status).toBe(204)
  }, 30_000)
})

describe("dev_stub provider", () => {
  it("refuses an unknown user with the same answer as any failed sign-in", async () => {
    const browser = new Browser(FRONTEND)
    const picker = await signIn(browser, docport.base, "dev_stub")
    const page = await picker.response!.text()
    const state = new URL(page.match(/href="([^"]+)"/)![1]!.replaceAll("&amp;", "&"), docport.base).searchParams.get("state")!
    const end = await browser.navigate(`${docport.base}/auth/callback/dev_stub?code=mallory&state=${state}`, {
      stopAt: (url) => url.origin === FRONTEND
    })
    expect(end.response?.status).toBe(400)
    expect(await json(end.response!)).toMatchObject({ _tag: "SignInFailed" })
    expect(await browser.cookie(docport.base, "gofannon_sid")).toBeUndefined()
  })

  it("a callback with a parameter given twice gets the same 400 as any failed sign-in, and echoes neither value", async () => {
    for (const query of ["code=alice&code=bob&state=s1", "code=alice&state=s2&state=s3"]) {
      const res = await fetch(`${docport.base}/auth/callback/dev_stub?${query}`)
      expect(`${query} ${res.status}`).toBe(`${query} 400`)
      const text = await res.text()
      expect(JSON.parse(text)).toMatchObject({ _tag: "SignInFailed" })
      for (const value of ["alice", "bob", "s1", "s2", "s3"]) expect(text).not.toContain(value)
    }
  })

  it("lists only configured users and escapes what the request brings", async () => {
    const res = await fetch(`${docport.base}/auth/dev-stub-picker?state=${encodeURIComponent("\"><script>alert(1)</script>")}&users=mallory`)
    const page = await res.text()
    expect(res.headers.get("content-type")).toContain("text/html")
    expect(res.headers.get("x-frame-options")).toBe("DENY")
    expect(res.headers.get("x-content-type-options")).toBe("nosniff")
    expect(page).not.toContain("<script>")
    expect(page).not.toContain("mallory")
    expect(page).toContain("alice@dev.local")
  })

  it("never sends the browser off-site after sign-in (no open redirect through return_to)", async () => {
    for (const returnTo of ["https://evil.example/x", "//evil.example/x", "/\\evil.example"]) {
      const browser = new Browser(FRONTEND)
      const end = await pickUser(browser, docport.base, "bob", returnTo)
      expect(end.stoppedAt?.href).toBe(`${FRONTEND}/`)
    }
  })

  it("sends the browser back to a path beyond ASCII percent-encoded, as a browser writes it (raw, Node refused the header: a 500)", async () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["/日本語?q=a b", "/%E6%97%A5%E6%9C%AC%E8%AA%9E?q=a%20b"],
      ["/a\u2028b/é/😀", "/a%E2%80%A8b/%C3%A9/%F0%9F%98%80"]
    ]
    for (const [returnTo, expected] of cases) {
      const browser = new Browser(FRONTEND)
      const end = await pickUser(browser, docport.base, "bob", returnTo)
      expect(end.stoppedAt?.href, returnTo).toBe(`${FRONTEND}${expected}`)
      expect((await browser.fetch(`${docport.base}/auth/me`)).status).toBe(200)
    }
  })
})
