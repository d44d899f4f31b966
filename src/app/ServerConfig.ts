import { Config } from "effect"

/** Where the HTTP server listens: PORT (default 8000, where Gofannon's UI looks) and HOST (default all interfaces). */
export const ServerConfig = Config.all({
  port: Config.port("PORT").pipe(Config.withDefault(8000)),
  host: Config.string("HOST").pipe(Config.withDefault("0.0.0.0"))
})
