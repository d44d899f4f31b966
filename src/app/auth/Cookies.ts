import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as Cookies from "@effect/platform/Cookies"
import { Option } from "effect"
import type { SignInSettingsShape } from "./SignInSettings.js"

export const STATE_COOKIE = "gofannon_auth_state"
/** The state cookie goes only where it is read. */
export const STATE_COOKIE_PATH = "/auth/callback"

/** Secure when docport is public over https or the request reached the proxy in front of it over https. */
export const cookieOptions = (
  settings: SignInSettingsShape,
  request: HttpServerRequest.HttpServerRequest,
  options: Cookies.Cookie["options"]
): Cookies.Cookie["options"] => ({
  httpOnly: true,
  sameSite: "lax",
  secure: Option.exists(settings.publicUrl, (u) => u.protocol === "https:") || request.headers["x-forwarded-proto"] === "https",
  ...options
})

/** Where the provider sends the browser back: PUBLIC_URL when set, else the address this request used. */
export const redirectUri = (settings: SignInSettingsShape, request: HttpServerRequest.HttpServerRequest, type: string) => {
  const path = `/auth/callback/${encodeURIComponent(type)}`
  return Option.match(settings.publicUrl, {
    onSome: (base) => base.href.replace(/\/$/, "") + path,
    onNone: () => {
      const proto = request.headers["x-forwarded-proto"] === "https" ? "https" : "http"
      return `${proto}://${request.headers["host"] ?? "localhost"}${path}`
    }
  })
}

/** Only a path of the web UI: an absolute URL here would make docport an open redirector. */
export const safeReturnTo = (raw: string | undefined): string =>
  raw !== undefined && raw.length <= 2000 && /^\/(?![/\\])[^\u0000-\u001f\\]*$/.test(raw) ? raw : "/"

// A header holds bytes, and Node refuses to write a character beyond Latin-1 into one: a path
// such as `/日本語` answered the callback with a 500 after the session was made. Every character
// beyond printable ASCII (a space included) is written as a browser would send it, percent-encoded
// UTF-8 (a character beyond U+FFFF as one, hence the `u` flag).
const NOT_PRINTABLE_ASCII = /[^\x21-\x7e]/gu
const percentEncoded = (char: string) =>
  Array.from(Buffer.from(char, "utf8"), (byte) => `%${byte.toString(16).toUpperCase().padStart(2, "0")}`).join("")

export const frontendTarget = (settings: SignInSettingsShape, returnTo: string) => {
  const base = settings.frontendUrls[0]!
  return `${base.origin}${base.pathname.replace(/\/$/, "")}${returnTo.replace(NOT_PRINTABLE_ASCII, percentEncoded)}`
}
