import { withoutAddresses } from "../../adapters/withoutAddresses.js"

// Credentials in a URL (scheme://user:password@host), in an Authorization header's value, or in a
// `password=`/`"token": "..."` pair are the secrets a backend's error text can carry (a proxy that
// echoes the request's headers, an SDK that prints its request); they are cut from every log line.
const URL_CREDENTIALS = /(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi
const AUTH_SCHEME = /\b(Basic|Bearer|Digest|Negotiate|AWS4-HMAC-SHA256|Token)\s+[^\s"',;]+/gi
const SECRET_PAIR =
  /((?:authorization|proxy-authorization|cookie|set-cookie|x-api-key|api[_-]?key|password|passwd|secret|token|credentials?)["']?\s*[:=]\s*["']?)[^"',;\s}]+/gi

/**
 * The text with every credential it might carry replaced by `***`, and every URL or network
 * address by a placeholder: where a backend lives is not for a log either.
 */
export const redactSecrets = (text: string): string =>
  withoutAddresses(text.replace(URL_CREDENTIALS, "$1***@").replace(AUTH_SCHEME, "$1 ***").replace(SECRET_PAIR, "$1***"))

/** A one-line, secret-free description of an error's cause, for logs. */
export const describeCause = (cause: unknown): string => {
  if (cause === undefined || cause === null) return ""
  const { name, message, code } = cause as { name?: unknown; message?: unknown; code?: unknown }
  const text = [name, code, message].filter((part) => typeof part === "string" || typeof part === "number").join(": ")
  return redactSecrets(text.length > 0 ? text : String(cause)).replace(/\s+/g, " ").slice(0, 500)
}
