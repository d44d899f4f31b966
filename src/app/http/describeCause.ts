// Credentials in a URL (scheme://user:password@host) are the one secret an SDK error message
// commonly carries; anything else of a cause (headers, request objects) is never logged.
const URL_CREDENTIALS = /(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi

/** A one-line, secret-free description of an error's cause, for logs. */
export const describeCause = (cause: unknown): string => {
  if (cause === undefined || cause === null) return ""
  const { name, message, code } = cause as { name?: unknown; message?: unknown; code?: unknown }
  const text = [name, code, message].filter((part) => typeof part === "string" || typeof part === "number").join(": ")
  return (text.length > 0 ? text : String(cause)).replace(URL_CREDENTIALS, "$1***@").slice(0, 500)
}
