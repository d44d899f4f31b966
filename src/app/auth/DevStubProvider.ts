import { Effect } from "effect"
import type { DevUser } from "./AuthConfig.js"
import { DEV_STUB } from "./AuthConfig.js"
import type { AuthProvider } from "./AuthProvider.js"

/**
 * Gofannon's dev_stub: a page listing the configured dev users, each a link to the callback with
 * the user as the code. No password: allowed only when APP_ENV is local, dev or test.
 */
export const make = (users: ReadonlyArray<DevUser>): AuthProvider => ({
  type: DEV_STUB,
  displayName: "Dev stub login",
  icon: "dev",
  prepare: Effect.succeed({ codeVerifier: null, nonce: null }),
  authorizeUrl: ({ state }) => Effect.succeed(`/auth/dev-stub-picker?${new URLSearchParams({ state })}`),
  complete: ({ query }) => {
    const user = users.find((u) => u.uid === query.get("code"))
    return user === undefined
      ? Effect.fail({ _tag: "Rejected", reason: "unknown dev_stub user" } as const)
      : Effect.succeed({ externalId: user.uid, displayName: user.displayName, email: user.email, emailVerified: true })
  },
  // A dev user taken out of AUTH_DEV_USERS is let in no more, its sessions included.
  allows: (user) => users.some((u) => u.uid === user.externalId)
})

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" })[c]!)

/** The picker lists the users from configuration only, never from the request. */
export const pickerPage = (users: ReadonlyArray<DevUser>, state: string) => {
  const links = users.map((u) => {
    const href = `/auth/callback/${DEV_STUB}?${new URLSearchParams({ code: u.uid, state })}`
    return `<li><a href="${escape(href)}">${escape(u.displayName)}</a> (${escape(u.email ?? "")})</li>`
  }).join("")
  return `<!doctype html>
<html>
  <head><meta charset="utf-8"><title>Dev stub login</title></head>
  <body style="font-family: sans-serif; max-width: 600px; margin: 60px auto;">
    <h1>Dev stub login</h1>
    <p>Not for production. Pick a configured user to sign in as:</p>
    <ul>${links}</ul>
  </body>
</html>`
}
