import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { USERS } from "../../src/domain/Users.js"
import type { DatabaseServiceShape } from "../../src/ports/DatabaseService.js"
import { startDocport, type RunningDocport } from "../support/AuthServer.js"
import { Browser } from "../support/Browser.js"
import { FRONTEND, pickUser, run, sharedMemoryDatabase } from "../support/SignInHelpers.js"

const PASSWORD = "a long admin password"
const KEY = "sk-proj-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789wxyz"

let docport: RunningDocport
let db: DatabaseServiceShape

beforeAll(async () => {
  const shared = await sharedMemoryDatabase()
  db = shared.db
  docport = await startDocport(
    {
      APP_ENV: "test",
      AUTH_PROVIDERS: "dev_stub",
      AUTH_DEV_USERS: "alice,bob",
      FRONTEND_URL: FRONTEND,
      ADMIN_PANEL_PASSWORD: PASSWORD,
      GEMINI_API_KEY: "from-the-environment",
      OPENROUTER_API_KEY: "",
      AWS_BEARER_TOKEN_BEDROCK: "   "
    },
    { database: shared.layer }
  )
}, 60_000)

afterAll(async () => {
  await docport?.close()
})

const session = async (uid: string) => {
  const browser = new Browser(FRONTEND)
  await pickUser(browser, docport.base, uid)
  return browser
}

const call = async (browser: Browser, path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) => {
  const response = await browser.fetch(`${docport.base}${path}`, init)
  const text = await response.text()
  return { status: response.status, text, body: JSON.parse(text) }
}

const admin = (browser: Browser, path: string, init: { method?: string; body?: unknown } = {}, password = PASSWORD) =>
  call(browser, path, { ...init, headers: { "x-admin-password": password } })

describe("the profile page: GET /users/me and the API keys tab", () => {
  it("answers Gofannon's User for a signed-in user, with its defaults", async () => {
    const alice = await session("alice")
    const me = await call(alice, "/users/me")
    expect(me.status).toBe(200)
    expect(me.body).toMatchObject({
      _id: "dev_stub:alice",
      basicInfo: { displayName: "alice", email: "alice@dev.local" },
      billingInfo: { plan: null, status: null },
      usageInfo: { monthlyAllowance: 100, allowanceResetDate: 0, spendRemaining: 100, usage: [] },
      apiKeys: { openaiApiKey: null, anthropicApiKey: null, geminiApiKey: null, perplexityApiKey: null, openrouterApiKey: null }
    })
    expect(typeof me.body._rev).toBe("string")
  }, 30_000)

  it("stores a key as Gofannon's runtime reads it and never answers it: masked on every route", async () => {
    const alice = await session("alice")
    const saved = await call(alice, "/users/me/api-keys", { method: "PUT", body: { provider: "openai", api_key: KEY } })
    expect(saved.status).toBe(200)
    expect(saved.body.apiKeys).toMatchObject({ openaiApiKey: "****wxyz", anthropicApiKey: null })
    const stored = await run(db.get(USERS, "dev_stub:alice"))
    expect(stored).toMatchObject({ apiKeys: { openaiApiKey: KEY } })
    const answers = [
      await call(alice, "/users/me"),
      await call(alice, "/users/me/api-keys"),
      await call(alice, "/users/me/api-keys/openai/effective"),
      await admin(alice, "/admin/users")
    ]
    for (const answer of answers) {
      expect(answer.status).toBe(200)
      expect(answer.text).not.toContain(KEY.slice(0, 20))
    }
    expect(answers[1]!.body).toEqual({
      openaiApiKey: "****wxyz",
      anthropicApiKey: null,
      geminiApiKey: null,
      perplexityApiKey: null,
      openrouterApiKey: null
    })
    // The tab's "Remove": Gofannon clears the field.
    const removed = await call(alice, "/users/me/api-keys/openai", { method: "DELETE" })
    expect(removed.status).toBe(200)
    expect(removed.body.apiKeys.openaiApiKey).toBeNull()
    expect(await run(db.get(USERS, "dev_stub:alice"))).toMatchObject({ apiKeys: { openaiApiKey: null } })
  }, 30_000)

  it("says where a provider's effective key comes from, without the key", async () => {
    const bob = await session("bob")
    await call(bob, "/users/me/api-keys", { method: "PUT", body: { provider: "anthropic", api_key: "sk-ant-short" } })
    expect((await call(bob, "/users/me/api-keys/anthropic/effective")).body).toEqual({ provider: "anthropic", has_key: true, source: "user" })
    expect((await call(bob, "/users/me/api-keys/gemini/effective")).body).toEqual({ provider: "gemini", has_key: true, source: "env" })
    expect((await call(bob, "/users/me/api-keys/openai/effective")).body).toEqual({ provider: "openai", has_key: false, source: null })
    // Set but empty or blank: no key a runtime could fall back to.
    expect((await call(bob, "/users/me/api-keys/openrouter/effective")).body).toEqual({ provider: "openrouter", has_key: false, source: null })
    expect((await call(bob, "/users/me/api-keys/bedrock/effective")).body).toEqual({ provider: "bedrock", has_key: false, source: null })
    expect((await call(bob, "/users/me/api-keys")).body.anthropicApiKey).toBe("****")
  }, 30_000)

  it("refuses an unknown provider (400), an empty, spaced or oversized key (422, without echoing it)", async () => {
    const bob = await session("bob")
    const unknown = await call(bob, "/users/me/api-keys", { method: "PUT", body: { provider: "acme", api_key: "k" } })
    expect(unknown.status).toBe(400)
    expect(unknown.body.detail).toBe("Unknown provider: acme")
    expect((await call(bob, "/users/me/api-keys/acme", { method: "DELETE" })).status).toBe(400)
    expect((await call(bob, "/users/me/api-keys/__proto__/effective")).status).toBe(400)
    const odd = await call(bob, `/users/me/api-keys/${encodeURIComponent("a\nb".repeat(30))}/effective`)
    expect(odd.status).toBe(400)
    expect(odd.body.detail).not.toContain("\n")
    expect(odd.body.detail).toBe(`Unknown provider: "${"a\\nb".repeat(13)}a"…`)
    expect((await call(bob, "/users/me/api-keys", { method: "PUT", body: { provider: "openai", api_key: "" } })).status).toBe(422)
    for (const api_key of ["   ", "two words", "line\nbreak", "\ud800lone"]) {
      const refused = await call(bob, "/users/me/api-keys", { method: "PUT", body: { provider: "openai", api_key } })
      expect(refused.status, JSON.stringify(api_key)).toBe(422)
      expect(refused.body.detail).toBe("api_key must be a key of 1 to 4,096 visible ASCII characters, without spaces")
    }
    // A key pasted with a newline after it is the key.
    const pasted = await call(bob, "/users/me/api-keys", { method: "PUT", body: { provider: "openai", api_key: " sk-pasted-0123456789\n" } })
    expect(pasted.status).toBe(200)
    expect(await run(db.get(USERS, "dev_stub:bob"))).toMatchObject({ apiKeys: { openaiApiKey: "sk-pasted-0123456789" } })
    const huge = "sk-" + "Q".repeat(5000)
    const oversized = await call(bob, "/users/me/api-keys", { method: "PUT", body: { provider: "openai", api_key: huge } })
    expect(oversized.status).toBe(422)
    expect(oversized.text).not.toContain("QQQQ")
  }, 30_000)

  it("needs sign-in, and a change from the UI's origin", async () => {
    expect((await fetch(`${docport.base}/users/me`)).status).toBe(401)
    const alice = await session("alice")
    const cookie = await alice.jar.getCookieString(docport.base)
    const foreign = await fetch(`${docport.base}/users/me/api-keys`, {
      method: "PUT",
      headers: { cookie, origin: "https://evil.example", "content-type": "application/json" },
      body: JSON.stringify({ provider: "openai", api_key: "planted-by-another-page" })
    })
    expect(foreign.status).toBe(403)
    expect(JSON.stringify(await run(db.get(USERS, "dev_stub:alice")))).not.toContain("planted")
  }, 30_000)

  it("refuses a user's own change of allowance or usage (403), which Gofannon allowed", async () => {
    const alice = await session("alice")
    const routes: Array<[string, string, unknown]> = [
      ["PUT", "/users/me/monthly-allowance", { monthlyAllowance: 1e9 }],
      ["PUT", "/users/me/spend-remaining", { spendRemaining: 1e9 }],
      ["PUT", "/users/me/allowance-reset-date", { allowanceResetDate: 0 }],
      ["POST", "/users/me/reset-allowance", undefined],
      ["POST", "/users/me/usage", { responseCost: -1e9 }]
    ]
    for (const [method, path, body] of routes) {
      const answer = await call(alice, path, { method, body })
      expect(answer.status, path).toBe(403)
      expect(answer.body.detail).toContain("administrator")
    }
    expect((await call(alice, "/users/me")).body.usageInfo).toMatchObject({ monthlyAllowance: 100, spendRemaining: 100 })
    // The API's description says so, rather than offering a 204 that never comes.
    const spec = (await (await fetch(`${docport.base}/openapi.json`)).json()) as { paths: Record<string, Record<string, { deprecated?: boolean }>> }
    for (const [method, path] of routes) expect(spec.paths[path]![method.toLowerCase()]!.deprecated, path).toBe(true)
  }, 30_000)
})

describe("the admin panel: /admin/users behind X-Admin-Password", () => {
  it("lists every user and changes one's allowance as Gofannon does: a lower allowance lowers what is left", async () => {
    const alice = await session("alice")
    await session("bob")
    const list = await admin(alice, "/admin/users")
    expect(list.status).toBe(200)
    expect(list.body.map((u: { _id: string }) => u._id)).toEqual(expect.arrayContaining(["dev_stub:alice", "dev_stub:bob"]))
    const resetDate = Date.parse("2027-01-01")
    const updated = await admin(alice, "/admin/users/dev_stub:bob", {
      method: "PUT",
      body: { monthlyAllowance: 25, spendRemaining: 10, allowanceResetDate: resetDate }
    })
    expect(updated.status).toBe(200)
    expect(updated.body.usageInfo).toMatchObject({ monthlyAllowance: 25, spendRemaining: 10, allowanceResetDate: resetDate })
    const lowered = await admin(alice, "/admin/users/dev_stub:bob", { method: "PUT", body: { monthlyAllowance: 5 } })
    expect(lowered.body.usageInfo).toMatchObject({ monthlyAllowance: 5, spendRemaining: 5, allowanceResetDate: resetDate })
    // The rest of bob's document is kept.
    expect(await run(db.get(USERS, "dev_stub:bob"))).toMatchObject({ uid: "dev_stub:bob", providerType: "dev_stub", lastLoginAt: expect.any(String) })
  }, 30_000)

  it("answers 401 for a wrong or missing password, 404 for an unknown user, 422 for a negative amount", async () => {
    const alice = await session("alice")
    const wrong = await admin(alice, "/admin/users", {}, "not the password")
    expect(wrong.status).toBe(401)
    expect(wrong.body.detail).toBe("Invalid admin password")
    expect((await call(alice, "/admin/users")).status).toBe(401)
    // The password before the body: a guess learns nothing of what the route accepts.
    for (const password of ["not the password", ""]) {
      const guess = await admin(alice, "/admin/users/dev_stub:bob", { method: "PUT", body: { monthlyAllowance: -1 } }, password)
      expect(`${guess.status} ${guess.body.detail}`).toBe("401 Invalid admin password")
    }
    expect((await admin(alice, "/admin/users/dev_stub:nobody", { method: "PUT", body: { spendRemaining: 1 } })).status).toBe(404)
    const negative = await admin(alice, "/admin/users/dev_stub:bob", { method: "PUT", body: { monthlyAllowance: -1 } })
    expect(negative.status).toBe(422)
    expect(negative.body.detail).toBe("monthlyAllowance must be a number from 0 to 1e12 (none between 0 and 1e-130, which no backend stores)")
    // Numbers no backend stores, or no date is, are the client's mistake too.
    for (const body of [{ spendRemaining: 1e300 }, { monthlyAllowance: 1e-320 }, { allowanceResetDate: 1e300 }, { allowanceResetDate: 1.5 }]) {
      expect((await admin(alice, "/admin/users/dev_stub:bob", { method: "PUT", body })).status).toBe(422)
    }
  }, 30_000)

  it("shows users Gofannon wrote, with its fields or without them, keys masked", async () => {
    await run(db.save(USERS, "google:gofannon-user", {
      createdAt: "2025-05-01T10:00:00",
      updatedAt: "2025-05-02T10:00:00",
      basicInfo: { displayName: "Gofannon User", email: "g@example.com" },
      usageInfo: { monthlyAllowance: 20, spendRemaining: 3.5, allowanceResetDate: 0, usage: [{ timestamp: "2025-05-02T09:00:00", responseCost: 0.5, metadata: { model: "gpt" } }] },
      apiKeys: { openaiApiKey: KEY, anthropicApiKey: null }
    }))
    await run(db.save(USERS, "legacy-bare", { basicInfo: "not an object" }))
    const alice = await session("alice")
    const list = await admin(alice, "/admin/users")
    expect(list.text).not.toContain(KEY.slice(0, 20))
    const byId = Object.fromEntries(list.body.map((u: { _id: string }) => [u._id, u]))
    expect(byId["google:gofannon-user"]).toMatchObject({
      usageInfo: { monthlyAllowance: 20, spendRemaining: 3.5, usage: [{ responseCost: 0.5, metadata: { model: "gpt" } }] },
      apiKeys: { openaiApiKey: "****wxyz", anthropicApiKey: null }
    })
    expect(byId["legacy-bare"]).toMatchObject({
      basicInfo: { displayName: null, email: null },
      usageInfo: { monthlyAllowance: 100, spendRemaining: 100, usage: [] }
    })
    await run(db.delete(USERS, "google:gofannon-user"))
    await run(db.delete(USERS, "legacy-bare"))
  }, 30_000)

  it("lets the UI on FRONTEND_URL send the password header (CORS preflight)", async () => {
    const preflight = await fetch(`${docport.base}/admin/users`, {
      method: "OPTIONS",
      headers: { origin: FRONTEND, "access-control-request-method": "PUT", "access-control-request-headers": "content-type,x-admin-password" }
    })
    expect(preflight.status).toBeLessThan(300)
    expect(preflight.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("x-admin-password")
  }, 30_000)
})

describe("the admin routes' configuration", () => {
  it("are off (403) without ADMIN_PANEL_PASSWORD, and a short one stops start-up with a message naming it", async () => {
    const off = await startDocport({})
    try {
      const answer = await fetch(`${off.base}/admin/users`, { headers: { "x-admin-password": "anything at all" } })
      expect(answer.status).toBe(403)
      expect(((await answer.json()) as { detail: string }).detail).toBe("Admin panel is disabled")
      const put = await fetch(`${off.base}/admin/users/x`, {
        method: "PUT",
        headers: { "content-type": "application/json", "x-admin-password": "anything at all" },
        body: JSON.stringify({ monthlyAllowance: -1 })
      })
      expect(put.status).toBe(403)
    } finally {
      await off.close()
    }
    await expect(startDocport({ ADMIN_PANEL_PASSWORD: "secret" })).rejects.toThrow(/ADMIN_PANEL_PASSWORD.*at least 12 characters/)
  }, 30_000)

  it("takes a password beyond ASCII as a browser sends it (Latin-1) and as curl sends it (UTF-8)", async () => {
    const latin = "Pässwört-sehr-lang"
    const beyondLatin = "пароль-очень-длинный"
    for (const password of [latin, beyondLatin]) {
      const server = await startDocport({ ADMIN_PANEL_PASSWORD: password })
      try {
        // fetch writes each character of a header as one byte: a string of UTF-8's bytes sends UTF-8.
        const utf8 = Buffer.from(password, "utf8").toString("latin1")
        const status = (header: string) => fetch(`${server.base}/admin/users`, { headers: { "x-admin-password": header } }).then((r) => r.status)
        expect(await status(utf8), password).toBe(200)
        if (password === latin) expect(await status(latin)).toBe(200)
        expect(await status(`${utf8}x`)).toBe(401)
      } finally {
        await server.close()
      }
    }
  }, 30_000)

  it("meets guessing with 429 once the sign-in failure limit is used up", async () => {
    const guarded = await startDocport({ AUTH_MAX_FAILURES: "3", ADMIN_PANEL_PASSWORD: PASSWORD })
    try {
      const guess = (password: string) => fetch(`${guarded.base}/admin/users`, { headers: { "x-admin-password": password } })
      for (const n of [1, 2, 3]) expect((await guess(`guess-${n}`)).status).toBe(401)
      const blocked = await guess(PASSWORD)
      expect(blocked.status).toBe(429)
      expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0)
    } finally {
      await guarded.close()
    }
  }, 30_000)
})
