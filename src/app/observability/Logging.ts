import { Cause, Config, ConfigError, Effect, Either, FiberRef, HashMap, HashSet, Layer, Logger, LogLevel } from "effect"
import { redactSecrets } from "../http/describeCause.js"
import { currentAccessWriter, jsonAccess, logfmtAccess } from "./AccessLog.js"
import { writeLogLine } from "./LogSink.js"
import { withRequestIds } from "./RequestIdLogs.js"

const LEVELS = new Map<string, LogLevel.LogLevel>([
  ...LogLevel.allLevels.map((level) => [level.label.toLowerCase(), level] as const),
  ["warning", LogLevel.Warning],
  ["none", LogLevel.None]
])

/** LOG_LEVEL in any case: trace, debug, info (default), warn or warning, error, fatal, none. */
const levelConfig = Config.string("LOG_LEVEL").pipe(
  Config.mapOrFail((text) => {
    const level = LEVELS.get(text.trim().toLowerCase())
    return level === undefined
      ? Either.left(ConfigError.InvalidData([], `expected one of ${[...LEVELS.keys()].join(", ")} but received "${text}"`))
      : Either.right(level)
  }),
  Config.withDefault(LogLevel.Info)
)

/**
 * `logger`, with a failure's cause written as text that names no credential and no backend's
 * address: an SDK's error, and the errors it wraps, say where they failed to connect. The text is
 * Cause.pretty's, as the logger would write it, under the same label.
 */
const withRedactedCauses = <M, O>(logger: Logger.Logger<M, O>): Logger.Logger<M, O> =>
  Logger.mapInputOptions(logger, (options) =>
    Cause.isEmptyType(options.cause) ? options : {
      ...options,
      cause: Cause.empty,
      annotations: HashMap.set(options.annotations, "cause", redactSecrets(Cause.pretty(options.cause, { renderErrorCause: true })) as unknown)
    })

const logfmtLines = withRedactedCauses(withRequestIds(Logger.map(Logger.logfmtLogger, writeLogLine)))
const jsonLines = withRedactedCauses(withRequestIds(Logger.map(Logger.jsonLogger, writeLogLine)))

/**
 * LOG_FORMAT (`text`, the default: logfmt, one line an entry; or `json`: one JSON object a line)
 * and LOG_LEVEL. Lines are written to stdout in batches (LogSink.ts); access lines in the same
 * format, directly (AccessLog.ts).
 */
export const LoggingLive = Layer.unwrapEffect(
  Config.map(
    Config.all({
      format: Config.literal("text", "json")("LOG_FORMAT").pipe(Config.withDefault("text" as const)),
      level: levelConfig
    }),
    ({ format, level }) =>
      Layer.mergeAll(
        // Effect's own logger and either of ours make way for the one chosen, so that providing
        // this layer again (another format, a test) leaves one logger writing each line, not two.
        Layer.scopedDiscard(Effect.locallyScopedWith(FiberRef.currentLoggers, (loggers) =>
          HashSet.add(
            HashSet.filter(loggers, (logger) => logger !== Logger.defaultLogger && logger !== logfmtLines && logger !== jsonLines),
            format === "json" ? jsonLines : logfmtLines
          ))),
        Logger.minimumLogLevel(level),
        Layer.locallyScoped(currentAccessWriter, format === "json" ? jsonAccess : logfmtAccess)
      )
  )
)
