import type { Tracer } from "effect"

export const REDACTED = "<redacted>"

/**
 * A query with its values taken out and its names kept (a name alone, which could be a secret
 * itself, goes too). A query can carry a sign-in's code and state on the way back from the
 * provider, or a token a client put there; the platform's request span records the URL whole,
 * and a trace backend is not where credentials belong.
 */
export const redactQueryValues = (query: string): string =>
  query.split("&").map((part) => {
    const equals = part.indexOf("=")
    return equals < 0 ? (part === "" ? part : REDACTED) : `${part.slice(0, equals)}=${REDACTED}`
  }).join("&")

/** Rewrites the request span's `url.query` and `url.full`, as @effect/platform's tracer set them. */
export const redactUrlAttributes = (span: Tracer.Span): void => {
  const query = span.attributes.get("url.query")
  if (typeof query !== "string") return
  span.attribute("url.query", redactQueryValues(query))
  const full = span.attributes.get("url.full")
  if (typeof full !== "string") return
  const start = full.indexOf("?")
  if (start >= 0) span.attribute("url.full", full.slice(0, start + 1) + redactQueryValues(full.slice(start + 1)))
}
