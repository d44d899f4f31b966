import { Config, ConfigError, Duration, Either, Option } from "effect"

/** What one warm-up may spend, whichever comes first. */
export interface WarmupSettings {
  readonly budget: Duration.Duration
  readonly maxRequests: number
  /** Requests in flight at once: as a loaded server sees them, so its concurrent paths warm too. */
  readonly concurrency: number
}

const DEFAULT_BUDGET = Duration.seconds(2)
const MAX_BUDGET = Duration.seconds(60)
const MAX_REQUESTS = 3_000
const CONCURRENCY = 8

const settings = (budget: Duration.Duration): WarmupSettings => ({ budget, maxRequests: MAX_REQUESTS, concurrency: CONCURRENCY })

/** What WARMUP=on, and no WARMUP at all, give. */
export const DEFAULT_WARMUP = settings(DEFAULT_BUDGET)

const OFF = new Set(["off", "false", "no", "0"])
const ON = new Set(["on", "true", "yes"])

const parse = (text: string): Either.Either<Option.Option<WarmupSettings>, ConfigError.ConfigError> => {
  const trimmed = text.trim().toLowerCase()
  if (OFF.has(trimmed)) return Either.right(Option.none())
  if (ON.has(trimmed)) return Either.right(Option.some(DEFAULT_WARMUP))
  // A bare number is seconds, as SHUTDOWN_TIMEOUT reads it; otherwise Effect's duration text.
  const budget = /^\d+(\.\d+)?$/.test(trimmed)
    ? Option.some(Duration.seconds(Number(trimmed)))
    : Duration.decodeUnknown(trimmed).pipe(Option.filter(Duration.isFinite))
  return Option.isSome(budget) && Duration.greaterThan(budget.value, Duration.zero) && Duration.lessThanOrEqualTo(budget.value, MAX_BUDGET)
    ? Either.right(Option.some(settings(budget.value)))
    : Either.left(ConfigError.InvalidData([], `expected off, on, or a time up to 60 seconds such as 2, "1.5 seconds" or "800 millis", but received "${text}"`))
}

/**
 * WARMUP: before the port opens, drive the hot routes on a private in-memory instance for at most
 * this long (default on: 2 s, at most 3,000 requests). `off` (or 0) opens the port at once.
 */
export const WarmupConfig: Config.Config<Option.Option<WarmupSettings>> = Config.string("WARMUP").pipe(
  Config.mapOrFail(parse),
  Config.withDefault(Option.some(DEFAULT_WARMUP))
)
