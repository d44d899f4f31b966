import { Clock, Config, Duration, Effect, Option } from "effect"
import { checked } from "../checkedConfig.js"

/**
 * CLIENT_LOG_PER_SECOND: how many client events a process logs a second (default 20, 0 for no
 * limit). `/log/client` needs no sign-in, as Gofannon's, so without a bound anyone who can reach
 * the port decides how fast the operator's log grows.
 */
export const ClientLogPerSecond = checked(
  "CLIENT_LOG_PER_SECOND",
  Config.integer("CLIENT_LOG_PER_SECOND").pipe(Config.withDefault(20)),
  "CLIENT_LOG_PER_SECOND must be a whole number of events a second, 0 for no limit",
  (n) => n >= 0
)

// Refusals are reported in one warning a minute at most: a line per refused event would be the
// very flood the limit is there to stop.
const REPORT_EVERY_MS = 60_000

/**
 * One bucket for the whole process, not one per client: behind a proxy every client has the
 * proxy's address, and what is bounded is the log's growth, whoever causes it. It holds one
 * second's worth of events and refills evenly. Returns, per event, None when it may be logged,
 * or how long until the next one may.
 */
export const makeClientLogLimit = (perSecond: number) => {
  if (perSecond === 0) return Effect.succeed(Option.none<Duration.Duration>())
  let tokens = perSecond
  let refilledAt: number | undefined
  let refused = 0
  let reportedAt = Number.NEGATIVE_INFINITY
  const report = (now: number) => {
    if (now - reportedAt < REPORT_EVERY_MS) return Effect.void
    const count = refused
    refused = 0
    reportedAt = now
    return Effect.logWarning(
      `client events refused (429): ${count} since the last such line; at most ${perSecond} a second are logged (CLIENT_LOG_PER_SECOND)`
    )
  }
  return Effect.flatMap(Clock.currentTimeMillis, (now) => {
    tokens = Math.min(perSecond, tokens + ((now - (refilledAt ?? now)) * perSecond) / 1000)
    refilledAt = now
    if (tokens >= 1) {
      tokens -= 1
      return Effect.succeed(Option.none<Duration.Duration>())
    }
    refused++
    return Effect.as(report(now), Option.some(Duration.millis(((1 - tokens) * 1000) / perSecond)))
  })
}
