import { Config, ConfigError, Either } from "effect"

/**
 * FRONTEND_URL: the URLs Gofannon's web UI is served from, comma-separated; empty when unset.
 * Sign-in sends the browser back to the first, and CORS and the origin checks allow each one's
 * origin, so both read this one parser: a value is either accepted by both or refused at start-up.
 * Each must be an absolute URL with an origin a browser could send (http or https, not file: or mailto:).
 */
export const frontendUrlsConfig: Config.Config<ReadonlyArray<URL>> = Config.string("FRONTEND_URL").pipe(
  Config.withDefault(""),
  Config.mapOrFail((value) => {
    const urls: Array<URL> = []
    for (const part of value.split(",").map((p) => p.trim()).filter((p) => p.length > 0)) {
      const url = URL.canParse(part) ? new URL(part) : undefined
      if (url === undefined || url.origin === "null") {
        return Either.left(ConfigError.InvalidData(["FRONTEND_URL"], `'${part.slice(0, 100)}' is not a URL such as http://localhost:3000`))
      }
      urls.push(url)
    }
    return Either.right(urls)
  })
)
