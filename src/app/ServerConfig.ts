import { Config } from "effect"

/** Where the HTTP server listens: PORT (default 8080) and HOST (default all interfaces). */
export const ServerConfig = Config.all({
  port: Config.port("PORT").pipe(Config.withDefault(8080)),
  host: Config.string("HOST").pipe(Config.withDefault("0.0.0.0"))
})
