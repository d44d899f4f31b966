import { Duration, Effect, Option } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as FailureLimiter from "../../src/app/auth/FailureLimiter.js"
import type { DatabaseServiceShape } from "../../src/ports/DatabaseService.js"
import { startDocport, type RunningDocport } from "../support/AuthServer.js"
import { Browser } from "../support/Browser.js"
import { FRONTEND, pickUser, run, sha256, sharedMemoryDatabase } from "../support/SignInHelpers.js"

const DEV_ENV = { APP_ENV: "test", AUTH_PROVIDERS: "dev_stub", AUTH_DEV_USERS: "alice,bob", FRONTEND_URL: FRONTEND }

let docport: RunningDocport
let limited: RunningDocport
let db: DatabaseServiceShape

beforeAll(async () => {
  const shared = await sharedMemoryDatabase()
  db = shared.db
  docport = await startDocport({ ...DEV_ENV, AUTH_MAX_FAILURES: "1000" }, { database: shared.layer })
  limited = await startDocport({ ...DEV_ENV, AUTH_MAX_FAILURES: "5", AUTH_FAILURE_WINDOW: "1 minute" })
}, 60_000)

afterAll(async () => {
  await docport?.close()
  await limited?.close()
})

const session = async (base: string, uid: string) => {
  const browser = new Browser(FRONTEND)
  await pickUser(browser, base, uid)
  return browser
}

const createToken = async (browser: Browser, base: string, body: Record<string, unknown>) => {
  const res = await browser.fetch(`${base}/auth/tokens`, { method: "POST", body })
  expect(res.status).toBe(201)
  return (await res.json()) as { id: string; name: string; token: string; expiresAt: string; lastUsedAt: null }
}

/** A program: no browser, no cookie, no Origin, only its token. */
const program = (base: string, token: string, path: string, init: { method?: string; body?: unknown } = {}) =>
  fetch(`${base}${path}`, {
    method: init.method ?? "GET",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) })
  })

describe("personal access tokens", () => {
  it("created from a session, shown once, stored only as a hash, used by a program, listed with its last use", async () => {
    const alice = await session(docport.base, "alice")
    const created = await createToken(alice, docport.base, { name: "agent runtime" })
    expect(created.token).toMatch(/^dpt_[A-Za-z0-9_-]{43}$/)
    const days = (Date.parse(created.expiresAt) - Date.now()) / 86_400_000
    expect(days).toBeGreaterThan(89.9)
    expect(days).toBeLessThanOrEqual(90)

    const stored = await run(db.get("access_tokens", sha256(created.token)))
    expect(stored).toMatchObject({ name: "agent runtime", userUid: "dev_stub:alice" })
    expect(JSON.stringify(stored)).not.toContain(created.token.slice(4))

    const post = await program(docport.base, created.token, "/agents", { method: "POST", body: { name: "A", description: "d", code: "c" } })
    expect(post.status).toBe(201)
    expect(await post.json()).toMatchObject({ createdBy: "dev_stub:alice" })
    expect(await (await program(docport.base, created.token, "/auth/me")).json()).toMatchObject({ uid: "dev_stub:alice" })

    const listed = (await (await alice.fetch(`${docport.base}/auth/tokens`)).json()) as Array<Record<string, unknown>>
    const mine = listed.find((t) => t.id === created.id)!
    expect(Object.keys(mine).sort()).toEqual(["createdAt", "expiresAt", "id", "lastUsedAt", "name"])
    expect(Date.parse(String(mine.lastUsedAt))).toBeGreaterThan(Date.now() - 60_000)
    // Other users see none of it.
    const bob = await session(docport.base, "bob")
    expect((await (await bob.fetch(`${docport.base}/auth/tokens`)).json())).toEqual([])
  }, 30_000)

  it("a token cannot mint tokens", async () => {
    const alice = await session(docport.base, "alice")
    const { token } = await createToken(alice, docport.base, { name: "t" })
    const res = await program(docport.base, token, "/auth/tokens", { method: "POST", body: { name: "more" } })
    expect(res.status).toBe(403)
  }, 30_000)

  it("revoked: 401 at once; someone else's token cannot be revoked and looks like no token at all", async () => {
    const alice = await session(docport.base, "alice")
    const { id, token } = await createToken(alice, docport.base, { name: "to revoke" })
    expect((await program(docport.base, token, "/agents")).status).toBe(200)
    const bob = await session(docport.base, "bob")
    const foreign = await bob.fetch(`${docport.base}/auth/tokens/${id}`, { method: "DELETE" })
    const unknown = await bob.fetch(`${docport.base}/auth/tokens/no-such-id`, { method: "DELETE" })
    expect(foreign.status).toBe(404)
    expect(await foreign.json()).toEqual(await unknown.json())
    expect((await program(docport.base, token, "/agents")).status).toBe(200)

    expect((await alice.fetch(`${docport.base}/auth/tokens/${id}`, { method: "DELETE" })).status).toBe(204)
    const after = await program(docport.base, token, "/agents")
    expect(after.status).toBe(401)
    expect(after.headers.get("x-auth-reason")).toBe("not_authenticated")
    expect((await alice.fetch(`${docport.base}/auth/tokens/${id}`, { method: "DELETE" })).status).toBe(404)
  }, 30_000)

  it("expired: 401 at once, and the stored hash is deleted", async () => {
    const alice = await session(docport.base, "alice")
    const { token } = await createToken(alice, docport.base, { name: "short", expiresInDays: 1 / 86_400 })
    expect((await program(docport.base, token, "/agents")).status).toBe(200)
    await new Promise((r) => setTimeout(r, 1_300))
    expect((await program(docport.base, token, "/agents")).status).toBe(401)
    await expect(run(db.get("access_tokens", sha256(token)))).rejects.toThrow()
  }, 30_000)

  it("unknown, revoked, expired and malformed tokens get the same answer (nothing to enumerate)", async () => {
    const alice = await session(docport.base, "alice")
    const revoked = await createToken(alice, docport.base, { name: "r" })
    await alice.fetch(`${docport.base}/auth/tokens/${revoked.id}`, { method: "DELETE" })
    const expired = await createToken(alice, docport.base, { name: "e", expiresInDays: 1 / 86_400 })
    await new Promise((r) => setTimeout(r, 1_300))
    const answers = new Set<string>()
    for (const token of [revoked.token, expired.token, `dpt_${"A".repeat(43)}`, "not-even-a-token", "dpt_"]) {
      const res = await program(docport.base, token, "/agents")
      answers.add(`${res.status} ${res.headers.get("x-auth-reason")} ${await res.text()}`)
    }
    expect([...answers]).toHaveLength(1)
    expect([...answers][0]).toMatch(/^401 not_authenticated /)
  }, 30_000)

  it("bad token bodies are refused with a 422 naming the field in one line, before anything is stored", async () => {
    const alice = await session(docport.base, "alice")
    const before = (await (await alice.fetch(`${docport.base}/auth/tokens`)).json()) as Array<unknown>
    const cases: Array<[Record<string, unknown>, string]> = [
      [{}, "name is required"],
      [{ name: "" }, "name"],
      [{ name: "x", expiresInDays: 0 }, "expiresInDays"],
      [{ name: "x", expiresInDays: 10_000 }, "expiresInDays"],
      // Expired before it is answered, its first use a failed sign-in.
      [{ name: "x", expiresInDays: 1e-320 }, "expiresInDays"],
      [{ name: "x", expiresInDays: 1 / 100_000 }, "expiresInDays"],
      [{ name: "line\nbreak" }, "name"],
      [{ name: "nul\u0000" }, "name"],
      [{ name: "   " }, "name"],
      [{ name: "a\u202eb" }, "name"],
      [{ name: "\u200b" }, "name"],
      [{ name: "\u00ad" }, "name"],
      [{ name: "\u3164\u2800\u{e0001}" }, "name"],
      // Not valid Unicode, so no backend stores it: refused here, not a 500 from the database.
      [{ name: "\ud800" }, "name"],
      [{ name: "ok\udfff" }, "name"]
    ]
    for (const [body, says] of cases) {
      const res = await alice.fetch(`${docport.base}/auth/tokens`, { method: "POST", body })
      expect(res.status, JSON.stringify(body)).toBe(422)
      const answer = (await res.json()) as { _tag: string; detail: string }
      expect(answer._tag).toBe("ValidationError")
      expect(answer.detail).toContain(says)
      expect(answer.detail).not.toContain("\n")
      expect(answer.detail).not.toContain("TokenCreate")
    }
    expect(await (await alice.fetch(`${docport.base}/auth/tokens`)).json()).toHaveLength(before.length)
  }, 30_000)
})

describe("brute force: a bounded number of failed token and callback attempts per client", () => {
  it("after 5 failures the client gets 429 with Retry-After, even with a valid token; a session still works", async () => {
    const alice = await session(limited.base, "alice")
    const { token } = await createToken(alice, limited.base, { name: "valid" })
    for (let i = 0; i < 5; i++) {
      expect((await program(limited.base, token + "x", "/agents")).status).toBe(401)
    }
    const blocked = await program(limited.base, `dpt_${"B".repeat(43)}`, "/agents")
    expect(blocked.status).toBe(429)
    const retryAfter = Number(blocked.headers.get("retry-after"))
    expect(retryAfter).toBeGreaterThan(0)
    expect(retryAfter).toBeLessThanOrEqual(60)
    expect(await blocked.json()).toMatchObject({ _tag: "TooManyRequests", detail: expect.any(String) })
    // Guessing stops working for the client, the right token included: nothing to learn from answers.
    expect((await program(limited.base, token, "/agents")).status).toBe(429)
    // The sign-in callback is closed to it too.
    const callback = await fetch(`${limited.base}/auth/callback/dev_stub?code=alice&state=x`)
    expect(callback.status).toBe(429)
    // Sessions are not guessable and not counted: the signed-in browser goes on.
    expect((await alice.fetch(`${limited.base}/agents`)).status).toBe(200)
  }, 30_000)

  it("login starts, which store a login state before anyone is known, are bounded per client too", async () => {
    const limitedStarts = await startDocport({ ...DEV_ENV, AUTH_MAX_FAILURES: "2" })
    try {
      const statuses: Array<number> = []
      for (let i = 0; i < 13; i++) {
        const res = await fetch(`${limitedStarts.base}/auth/login/dev_stub`, { redirect: "manual" })
        statuses.push(res.status)
      }
      expect(statuses.slice(0, 12)).toEqual(Array(12).fill(302))
      expect(statuses[12]).toBe(429)
    } finally {
      await limitedStarts.close()
    }
  }, 30_000)

  it("behind a trusted proxy, clients are told apart by the address the proxy appended", async () => {
    const proxied = await startDocport({ ...DEV_ENV, AUTH_MAX_FAILURES: "2", AUTH_CLIENT_ADDRESS_HEADER: "X-Forwarded-For" })
    try {
      const attempt = (forwardedFor: string) =>
        fetch(`${proxied.base}/agents`, { headers: { authorization: "Bearer dpt_wrong", "x-forwarded-for": forwardedFor } })
      expect((await attempt("10.0.0.1")).status).toBe(401)
      expect((await attempt("10.0.0.1")).status).toBe(401)
      expect((await attempt("10.0.0.1")).status).toBe(429)
      // A client cannot escape by claiming another address: only the proxy's last entry counts.
      expect((await attempt("1.2.3.4, 10.0.0.1")).status).toBe(429)
      expect((await attempt("10.0.0.2")).status).toBe(401)
    } finally {
      await proxied.close()
    }
  }, 30_000)

  it("the limiter forgets old windows and keeps a bounded number of clients", async () => {
    const limiter = await Effect.runPromise(FailureLimiter.make({ maxFailures: 2, window: Duration.millis(200) }))
    const blocked = (c: string) => Effect.runPromise(Effect.map(limiter.blocked(c), Option.isSome))
    await Effect.runPromise(limiter.recordFailure("a"))
    await Effect.runPromise(limiter.recordFailure("a"))
    expect(await blocked("a")).toBe(true)
    await new Promise((r) => setTimeout(r, 250))
    expect(await blocked("a")).toBe(false)
    const long = await Effect.runPromise(FailureLimiter.make({ maxFailures: 2, window: Duration.hours(1) }))
    const longBlocked = (c: string) => Effect.runPromise(Effect.map(long.blocked(c), Option.isSome))
    await Effect.runPromise(Effect.repeatN(long.recordFailure("first"), 1))
    await Effect.runPromise(Effect.repeatN(long.recordFailure("second"), 1))
    expect(await longBlocked("first")).toBe(true)
    await Effect.runPromise(Effect.forEach(
      Array.from({ length: FailureLimiter.MAX_TRACKED_CLIENTS - 1 }, (_, i) => `c${i}`),
      (c) => long.recordFailure(c),
      { discard: true }
    ))
    // The oldest entry made room for the newest: memory stays bounded under a flood of addresses.
    expect(await longBlocked("first")).toBe(false)
    expect(await longBlocked("second")).toBe(true)
  }, 30_000)
})
