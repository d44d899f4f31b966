import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { SESSIONS } from "../../src/domain/Sessions.js"
import type { DatabaseServiceShape } from "../../src/ports/DatabaseService.js"
import { startDocport, type RunningDocport } from "../support/AuthServer.js"
import { Browser } from "../support/Browser.js"
import { FRONTEND, pickUser, run, sharedMemoryDatabase } from "../support/SignInHelpers.js"

let docport: RunningDocport
let local: RunningDocport
let db: DatabaseServiceShape

beforeAll(async () => {
  const shared = await sharedMemoryDatabase()
  db = shared.db
  docport = await startDocport(
    { APP_ENV: "test", AUTH_PROVIDERS: "dev_stub", AUTH_DEV_USERS: "alice,bob", FRONTEND_URL: FRONTEND, SITE_ADMINS: "dev_stub:bob" },
    { database: shared.layer }
  )
  local = await startDocport({})
}, 60_000)

afterAll(async () => {
  await docport?.close()
  await local?.close()
})

const session = async (uid: string) => {
  const browser = new Browser(FRONTEND)
  await pickUser(browser, docport.base, uid)
  return browser
}

/** The UI's call: a POST with the session cookie, no body. */
const refresh = (browser: Browser) => browser.fetch(`${docport.base}/auth/refresh-workspaces`, { method: "POST" })

const storedSessionOf = (uid: string) =>
  run(Effect.map(db.find(SESSIONS, { userUid: uid }), (docs) => {
    expect(docs).toHaveLength(1)
    return docs[0]!
  }))

describe("POST /auth/refresh-workspaces, the user menu's 'Refresh workspaces'", () => {
  it("answers Gofannon's diff; nothing changed for a fresh session", async () => {
    const alice = await session("alice")
    const res = await refresh(alice)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ added: [], removed: [], roleChanges: [], siteAdminChanged: false })
  }, 30_000)

  it("brings a session's stored workspaces and site-admin flag up to date and says what changed", async () => {
    const bob = await session("bob")
    // A session as Gofannon's LDAP provider left it, from before bob was made a site admin.
    const stored = await storedSessionOf("dev_stub:bob")
    const personal = (stored.workspaces as Array<{ workspaceId: string }>)[0]!
    await run(db.save(SESSIONS, stored._id, {
      ...stored,
      isSiteAdmin: false,
      lastRefreshAt: "2020-01-01T00:00:00.000Z",
      workspaces: [{ ...personal, role: "member" }, { workspaceId: "pmc:tooling", role: "member", displayName: "Tooling", source: "ldap" }]
    }))
    const res = await refresh(bob)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ added: [], removed: ["pmc:tooling"], roleChanges: [personal.workspaceId], siteAdminChanged: true })
    const after = await storedSessionOf("dev_stub:bob")
    expect(after.workspaces).toEqual([personal])
    expect(after.isSiteAdmin).toBe(true)
    expect(after.lastRefreshAt).not.toBe("2020-01-01T00:00:00.000Z")
    expect(await (await bob.fetch(`${docport.base}/auth/me`)).json()).toMatchObject({ workspaces: [personal], isSiteAdmin: true })
    // Done again, nothing is left to change.
    expect(await (await refresh(bob)).json()).toEqual({ added: [], removed: [], roleChanges: [], siteAdminChanged: false })
  }, 30_000)

  it("needs a signed-in user, and a change from the UI's origin", async () => {
    expect((await fetch(`${docport.base}/auth/refresh-workspaces`, { method: "POST" })).status).toBe(401)
    const alice = await session("alice")
    const cookie = await alice.jar.getCookieString(docport.base)
    const foreign = await fetch(`${docport.base}/auth/refresh-workspaces`, { method: "POST", headers: { cookie, origin: "https://evil.example" } })
    expect(foreign.status).toBe(403)
  }, 30_000)

  it("in local mode, nothing to refresh", async () => {
    const res = await fetch(`${local.base}/auth/refresh-workspaces`, { method: "POST" })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ added: [], removed: [], roleChanges: [], siteAdminChanged: false })
  }, 30_000)
})
