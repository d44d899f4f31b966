import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { Effect, LogLevel, Option } from "effect"
import { TOKEN_PREFIX } from "../../domain/AccessTokens.js"
import { LINE_BREAKING_OR_INVISIBLE } from "../../domain/InvisibleText.js"
import { DocportApi } from "./Api.js"
import { tooManyRequests } from "../auth/AuthErrors.js"
import type { ClientLog } from "./ClientLog.js"
import { ClientLogPerSecond, makeClientLogLimit } from "./ClientLogLimit.js"
import { groupInLeanContext } from "./LeanContext.js"

// A client decides what it sends, so every part of the line is cut to a bound, and characters that
// break a line or hide text (a forged second line, text a terminal shows reordered) are spaces.
const MAX_FIELD = 100
const MAX_MESSAGE = 1000
const MAX_METADATA = 2000
const CONTROL = new RegExp(LINE_BREAKING_OR_INVISIBLE.source, "g")

// Values that are credentials whatever holds them (a field of any name, the message's text): docport's
// own access tokens (their prefix is there to be recognised), JSON Web Tokens, an Authorization
// header's value, and the parameters of a URL that carry a sign-in's code and state or a token.
const SECRET_VALUES: ReadonlyArray<readonly [RegExp, string]> = [
  [new RegExp(`\\b${TOKEN_PREFIX}[A-Za-z0-9_-]+`, "g"), `${TOKEN_PREFIX}[redacted]`],
  [/\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, "[redacted]"],
  [/\b(Bearer|Basic|Digest|Negotiate)\s+[^\s"',;]+/g, "$1 [redacted]"],
  // `name=value` wherever it stands (a query, a JSON string, brackets), `=` percent-encoded too, for
  // these names alone or after a prefix and `_` or `-` (`gofannon_sid`, `auth-code`), not `statusCode`.
  [
    /((?<=^|[^A-Za-z0-9]|%[0-9A-Fa-f]{2})(?:[A-Za-z0-9]+[_-])?(?:code|state|nonce|token|access_token|id_token|refresh_token|session|sid|password|secret|api_?key|key)(?:=|%3D))(?:(?!%26)[^&#;,\s"'()])+/gi,
    "$1[redacted]"
  ]
]

const bounded = (text: string, max: number) => {
  const clean = SECRET_VALUES.reduce((t, [pattern, replacement]) => t.replace(pattern, replacement), text.replace(CONTROL, " "))
  return clean.length > max ? `${clean.slice(0, max)}…` : clean
}

// Fields a page may put in an event's metadata by mistake that name a credential (`password`,
// `apiKey`, `openaiApiKey`, `accessToken`, `Authorization`, `sessionId`, `sid`, `jwt`, a sign-in's
// `code`, `state` and `nonce`…): their values are never written. Matched at the end of the name, so
// that `maxTokens` or `tokenCount` stay (and `errorCode`; `error_code` goes, the price of `auth_code`).
const SECRET_FIELD = /(passw(or)?d|passphrase|secret|token|api[-_]?key|private[-_]?key|authorization|bearer|cookie|credentials?|session[-_]?id|(^|[-_.])(sid|code|state|nonce)|jwt)$/i
const REDACTED = "[redacted]"
const withoutSecrets = (key: string, value: unknown) => (key !== "" && SECRET_FIELD.test(key) ? REDACTED : value)

const levelOf = (level: string): LogLevel.LogLevel => {
  switch (level.toUpperCase()) {
    case "ERROR":
      return LogLevel.Error
    case "WARN":
    case "WARNING":
      return LogLevel.Warning
    case "DEBUG":
      return LogLevel.Debug
    default:
      return LogLevel.Info
  }
}

/** One structured log line per client event, whatever the client sent. */
export const logClientEvent = (event: ClientLog) =>
  Effect.logWithLevel(levelOf(event.level), `client event: ${bounded(event.message, MAX_MESSAGE)}`).pipe(
    Effect.annotateLogs({
      source: "webui",
      eventType: bounded(event.eventType, MAX_FIELD),
      clientLevel: bounded(event.level, MAX_FIELD),
      metadata: event.metadata == null ? "" : bounded(JSON.stringify(event.metadata, withoutSecrets), MAX_METADATA)
    })
  )

export const ClientLogLive = HttpApiBuilder.group(DocportApi, "clientLog", (handlers) =>
  Effect.map(ClientLogPerSecond, (perSecond) => {
    const limit = makeClientLogLimit(perSecond)
    return handlers.handle("log", ({ payload }) =>
      Effect.flatMap(limit, (wait) =>
        Option.isSome(wait)
          ? tooManyRequests(wait.value, "client events")
          : Effect.as(logClientEvent(payload), { status: "logged" as const })))
  })).pipe(groupInLeanContext())
