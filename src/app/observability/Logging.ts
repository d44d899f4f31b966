import { Config, Layer, Logger, LogLevel } from "effect"

/**
 * LOG_FORMAT (`text`, the default: logfmt, one line an entry; or `json`: one JSON object a line) and LOG_LEVEL (Effect's
 * level names: `debug`, `info` (default), `warning`, `error`, `none`...).
 */
export const LoggingLive = Layer.unwrapEffect(
  Config.map(
    Config.all({
      format: Config.literal("text", "json")("LOG_FORMAT").pipe(Config.withDefault("text" as const)),
      level: Config.logLevel("LOG_LEVEL").pipe(Config.withDefault(LogLevel.Info))
    }),
    ({ format, level }) => Layer.merge(format === "json" ? Logger.json : Logger.logFmt, Logger.minimumLogLevel(level))
  )
)
