import { Config, Duration } from "effect"

/**
 * How long one round trip to the backend may take before it counts as unreachable (HTTP 503).
 * Every adapter bounds each of its calls by it, so an outage answers alike on every backend.
 */
export const DEFAULT_DATABASE_TIMEOUT = Duration.seconds(2)

/** DATABASE_TIMEOUT, e.g. "2 seconds" or "500 millis"; default 2 seconds. */
export const databaseTimeoutConfig: Config.Config<Duration.Duration> = Config.duration("DATABASE_TIMEOUT").pipe(
  Config.withDefault(DEFAULT_DATABASE_TIMEOUT)
)
