// Error codes of Node's net/http stack and undici meaning "the backend could not be reached",
// which the HTTP edge reports as 503 instead of 500.
const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "ESOCKETTIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_SOCKET",
  "UND_ERR_HEADERS_TIMEOUT",
  "TimeoutError"
])

/** Whether an error (or any error in its cause chain) says the backend was unreachable. */
export const isUnreachable = (error: unknown, depth = 0): boolean => {
  if (error === null || typeof error !== "object" || depth > 5) return false
  const { code, name, errno, cause } = error as { code?: unknown; name?: unknown; errno?: unknown; cause?: unknown }
  if (typeof code === "string" && UNREACHABLE_CODES.has(code)) return true
  if (typeof errno === "string" && UNREACHABLE_CODES.has(errno)) return true
  if (name === "TimeoutError") return true
  if (Array.isArray((error as { errors?: unknown }).errors)) {
    if ((error as { errors: Array<unknown> }).errors.some((e) => isUnreachable(e, depth + 1))) return true
  }
  return isUnreachable(cause, depth + 1)
}
