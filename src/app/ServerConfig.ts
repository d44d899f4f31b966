import { Config } from "effect"

/**
 * Where the HTTP server listens: PORT (default 8000, where Gofannon's UI looks) and HOST (default
 * 127.0.0.1, this machine only). Another HOST needs a sign-in provider: without one, start-up stops
 * (see SignInSettings).
 */
export const ServerConfig = Config.all({
  port: Config.port("PORT").pipe(Config.withDefault(8000)),
  host: Config.string("HOST").pipe(Config.withDefault("127.0.0.1"))
})
