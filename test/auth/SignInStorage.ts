import { Duration, Effect, Exit, Layer, Option, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as AccessTokens from "../../src/domain/AccessTokens.js"
import * as LoginStates from "../../src/domain/LoginStates.js"
import { personalWorkspace, type Principal } from "../../src/domain/Principal.js"
import * as Sessions from "../../src/domain/Sessions.js"
import * as Users from "../../src/domain/Users.js"
import { DatabaseService, type DatabaseServiceShape } from "../../src/ports/DatabaseService.js"
import { startDocport } from "../support/AuthServer.js"
import { Browser } from "../support/Browser.js"
import { FRONTEND, sha256, signIn } from "../support/SignInHelpers.js"

const ann: Principal = {
  uid: "test:ann",
  displayName: "Ann",
  email: "ann@example.com",
  emailVerified: true,
  providerType: "test",
  workspaces: [personalWorkspace("test:ann")],
  isSiteAdmin: false,
  via: "session"
}

/**
 * Sessions, tokens, login states and users go through the port, so they must behave the same on
 * every backend: run against each, on the backend's real server.
 */
export const signInStorage = (name: string, database: Layer.Layer<DatabaseService, unknown>): void => {
  describe(`sign-in storage on ${name}`, () => {
    const scope = Effect.runSync(Scope.make())
    let db: DatabaseServiceShape
    const run = <A, E>(effect: Effect.Effect<A, E, DatabaseService>) =>
      Effect.runPromise(Effect.provideService(effect, DatabaseService, db))

    beforeAll(async () => {
      const context = await Effect.runPromise(Layer.buildWithScope(database, scope))
      db = context.unsafeMap.get(DatabaseService.key) as DatabaseServiceShape
    }, 120_000)
    afterAll(() => Effect.runPromise(Scope.close(scope, Exit.void)), 60_000)

    it("a session is found by its cookie value, stored under its digest, expires hard and is removed at logout", async () => {
      const sessions = await run(Sessions.make)
      const { sid } = await run(sessions.create(ann, Duration.hours(1)))
      expect(await run(sessions.lookup(sid))).toMatchObject({ _tag: "Valid", principal: { uid: "test:ann", emailVerified: true, via: "session" } })
      expect(await run(db.get(Sessions.SESSIONS, sha256(sid)))).toMatchObject({ userUid: "test:ann" })
      expect(await run(sessions.lookup(sid + "x"))).toEqual({ _tag: "Missing" })
      await run(sessions.remove(sid))
      await run(sessions.remove(sid)) // logging out twice is fine
      expect(await run(sessions.lookup(sid))).toEqual({ _tag: "Missing" })

      const short = await run(sessions.create(ann, Duration.millis(300)))
      await new Promise((r) => setTimeout(r, 500))
      expect(await run(sessions.lookup(short.sid))).toEqual({ _tag: "Expired" })
      expect(await run(sessions.lookup(short.sid))).toEqual({ _tag: "Missing" })
    }, 60_000)

    it("a session stored without emailVerified (Gofannon's, or docport's before it was kept) reads as unverified", async () => {
      const sessions = await run(Sessions.make)
      const { sid } = await run(sessions.create(ann, Duration.hours(1)))
      const { _id, _rev, emailVerified, ...older } = await run(db.get(Sessions.SESSIONS, sha256(sid)))
      expect(emailVerified).toBe(true)
      await run(db.save(Sessions.SESSIONS, _id, older, { expectedRev: _rev }))
      expect(await run(sessions.lookup(sid))).toMatchObject({ _tag: "Valid", principal: { uid: "test:ann", emailVerified: false } })
      await run(sessions.remove(sid))
    })

    it("a refresh stores the memberships on the session and answers what it held; none for an unknown session", async () => {
      const sessions = await run(Sessions.make)
      const { sid } = await run(sessions.create({ ...ann, isSiteAdmin: true }, Duration.hours(1)))
      const now = { workspaces: [{ ...personalWorkspace("test:ann"), role: "member" as const }], isSiteAdmin: false }
      expect(await run(sessions.refresh(sid, now))).toEqual(Option.some({ workspaces: ann.workspaces, isSiteAdmin: true }))
      expect(await run(sessions.lookup(sid))).toMatchObject({ _tag: "Valid", principal: now })
      expect(await run(sessions.refresh(sid, now))).toEqual(Option.some(now))
      expect(await run(sessions.refresh(sid + "x", now))).toEqual(Option.none())
      await run(sessions.remove(sid))
    })

    it("tokens: created, verified, listed per owner, revoked, expired", async () => {
      const tokens = await run(AccessTokens.make)
      const owner = { ...ann, uid: `test:${name}-${Date.now()}` }
      const a = await run(tokens.create(owner, "a", Duration.days(1)))
      const b = await run(tokens.create(owner, "b", Duration.millis(300)))
      expect(await run(tokens.verify(a.token))).toMatchObject({ _tag: "Valid", principal: { uid: owner.uid, emailVerified: true, via: "token" } })
      expect((await run(tokens.list(owner.uid))).map((t) => t.name).sort()).toEqual(["a", "b"])
      expect(await run(tokens.list("test:nobody"))).toEqual([])
      const other = await Effect.runPromise(Effect.flip(Effect.provideService(tokens.revoke("test:nobody", a.id), DatabaseService, db)))
      expect(other._tag).toBe("NotFound")
      await run(tokens.revoke(owner.uid, a.id))
      expect(await run(tokens.verify(a.token))).toEqual({ _tag: "Missing" })
      await new Promise((r) => setTimeout(r, 500))
      expect(await run(tokens.verify(b.token))).toEqual({ _tag: "Expired" })
      expect(await run(tokens.list(owner.uid))).toEqual([])
    }, 60_000)

    it("a login state is used once, even by two callbacks at the same moment", async () => {
      const states = await run(LoginStates.make)
      const { state } = await run(states.begin({ providerType: "test", codeVerifier: "v", nonce: "n", returnTo: "/" }))
      const [x, y] = await run(Effect.all([states.take(state), states.take(state)], { concurrency: 2 }))
      expect([x, y].filter(Option.isSome)).toHaveLength(1)
      expect(Option.getOrThrow([x, y].find(Option.isSome)!)).toMatchObject({ providerType: "test", codeVerifier: "v", nonce: "n" })
      expect(Option.isNone(await run(states.take(state)))).toBe(true)
    }, 60_000)

    it("a user document is created at first login and updated at the next", async () => {
      const users = await run(Scope.extend(Users.make, scope))
      const uid = `test:${name}/with-a-slash`
      await run(users.recordLogin({ ...ann, uid }))
      await run(users.recordLogin({ ...ann, uid, displayName: "Ann B." }))
      const doc = await run(db.get(Users.USERS, Users.userDocumentId(uid)))
      expect(doc).toMatchObject({ uid, basicInfo: { displayName: "Ann B.", email: "ann@example.com" } })
    }, 60_000)

    it("a user's profile is created at first read; keys and allowances change on the revision read, two at once both kept", async () => {
      const users = await run(Scope.extend(Users.make, scope))
      const bea = { ...ann, uid: `test:${name}/bea`, displayName: "Bea" }
      const first = await run(users.profile(bea))
      expect(first).toMatchObject({ uid: bea.uid, usageInfo: { monthlyAllowance: 100, spendRemaining: 100, usage: [] }, apiKeys: {} })
      expect(await run(users.profile(bea))).toEqual(first)
      // Two keys set at the same moment: each write is conditional, so neither is lost.
      await run(Effect.all([users.setApiKey(bea, "openai", "sk-one"), users.setApiKey(bea, "anthropic", "sk-two")], { concurrency: 2 }))
      const id = Users.userDocumentId(bea.uid)
      expect(await run(db.get(Users.USERS, id))).toMatchObject({ apiKeys: { openaiApiKey: "sk-one", anthropicApiKey: "sk-two" } })
      const cleared = await run(users.setApiKey(bea, "openai", null))
      expect(cleared).toMatchObject({ apiKeys: { openaiApiKey: null, anthropicApiKey: "sk-two" } })
      expect(cleared._rev).toBe((await run(db.get(Users.USERS, id)))._rev)

      const lowered = await run(users.updateUsage(id, { monthlyAllowance: 40, allowanceResetDate: 1_767_225_600_000 }))
      expect(lowered).toMatchObject({ usageInfo: { monthlyAllowance: 40, spendRemaining: 40, allowanceResetDate: 1_767_225_600_000 } })
      expect(await run(users.updateUsage(id, { spendRemaining: 55, monthlyAllowance: null }))).toMatchObject({
        usageInfo: { monthlyAllowance: 40, spendRemaining: 55 },
        apiKeys: { anthropicApiKey: "sk-two" },
        uid: bea.uid
      })
      for (const unknown of ["nobody", "_bad", "a".repeat(2000)]) {
        const exit = await Effect.runPromiseExit(users.updateUsage(unknown, { spendRemaining: 1 }))
        expect(exit).toMatchObject({ _tag: "Failure", cause: { error: { _tag: "NotFound" } } })
      }
    }, 60_000)

    it("30 changes of one user at once, keys and allowance: every one lands, none is a conflict", async () => {
      const users = await run(Scope.extend(Users.make, scope))
      const cy = { ...ann, uid: `test:${name}/cy`, displayName: "Cy" }
      const providers = ["openai", "anthropic", "gemini", "perplexity", "openrouter"] as const
      const changes = Array.from({ length: 30 }, (_, i) =>
        i % 6 === 5
          ? users.updateUsage(Users.userDocumentId(cy.uid), { spendRemaining: i })
          : users.setApiKey(cy, providers[i % 6]!, `sk-${i}`))
      await run(users.profile(cy))
      const outcomes = await run(Effect.all(changes.map(Effect.either), { concurrency: "unbounded" }))
      expect(outcomes.flatMap((o) => o._tag === "Left" ? [o.left._tag] : [])).toEqual([])
      const stored = await run(db.get(Users.USERS, Users.userDocumentId(cy.uid)))
      expect(Object.values(stored.apiKeys as object).filter((key) => typeof key === "string")).toHaveLength(5)
    }, 60_000)

    it("the dev-stub sign-in, a token and logout over HTTP on this backend", async () => {
      const docport = await startDocport(
        { APP_ENV: "test", AUTH_PROVIDERS: "dev_stub", AUTH_DEV_USERS: "alice", FRONTEND_URL: FRONTEND },
        { database: Layer.succeed(DatabaseService, db) }
      )
      try {
        const browser = new Browser(FRONTEND)
        const picker = await signIn(browser, docport.base, "dev_stub")
        const href = (await picker.response!.text()).match(/href="([^"]+)"/)![1]!.replaceAll("&amp;", "&")
        await browser.navigate(new URL(href, docport.base), { stopAt: (url) => url.origin === FRONTEND })
        expect(await (await browser.fetch(`${docport.base}/auth/me`)).json()).toMatchObject({ uid: "dev_stub:alice" })
        const created = (await (await browser.fetch(`${docport.base}/auth/tokens`, { method: "POST", body: { name: "n" } })).json()) as {
          token: string
        }
        const byToken = await fetch(`${docport.base}/agents`, { headers: { authorization: `Bearer ${created.token}` } })
        expect(byToken.status).toBe(200)
        expect((await browser.fetch(`${docport.base}/auth/logout`, { method: "POST" })).status).toBe(204)
        expect((await browser.fetch(`${docport.base}/auth/me`)).status).toBe(401)
      } finally {
        await docport.close()
      }
    }, 60_000)
  })
}
