import * as HttpServer from "@effect/platform/HttpServer"
import { ConfigError, Context, Effect, Layer, Option } from "effect"
import { type AuthSettings, authConfig, checkAuthSettings } from "./AuthConfig.js"

export interface SignInSettingsShape extends AuthSettings {
  /** No provider configured: no sign-in, every request acts as the local user. */
  readonly localMode: boolean
  /** Origins whose pages may change data with the session cookie (the web UI, docport's own public URL). */
  readonly allowedOrigins: ReadonlySet<string>
}

export class SignInSettings extends Context.Tag("docport/SignInSettings")<SignInSettings, SignInSettingsShape>() {}

const isLoopbackAddress = (hostname: string) =>
  /^127(\.\d{1,3}){3}$/.test(hostname) || hostname === "::1" || /^::ffff:127(\.\d{1,3}){3}$/i.test(hostname)

/**
 * The settings, checked against the address the server really listens on: local mode, which
 * lets every request in, is refused anywhere but on a loopback address.
 */
export const layer = Layer.effect(
  SignInSettings,
  Effect.gen(function*() {
    const settings = yield* Effect.flatMap(authConfig, checkAuthSettings)
    const server = yield* HttpServer.HttpServer
    const localMode = settings.providers.length === 0
    const address = server.address
    const loopback = address._tag === "TcpAddress" ? isLoopbackAddress(address.hostname) : true
    const origins = new Set([...settings.frontendUrls.map((u) => u.origin), ...Option.toArray(settings.publicUrl).map((u) => u.origin)])
    if (localMode) {
      if (!loopback) {
        return yield* Effect.fail(ConfigError.InvalidData(
          ["AUTH_PROVIDERS"],
          `no sign-in provider is configured and HOST is not a loopback address: without sign-in docport serves only 127.0.0.1 or ::1. ` +
            `Set HOST=127.0.0.1, or configure sign-in: AUTH_PROVIDERS=google with AUTH_GOOGLE_CLIENT_ID, ` +
            `AUTH_GOOGLE_CLIENT_SECRET and AUTH_GOOGLE_ALLOWED_DOMAINS (see "Sign-in" in the README)`
        ))
      }
      // docport's own pages (Swagger UI at /docs) may change data in local mode too.
      if (address._tag === "TcpAddress") {
        for (const host of ["127.0.0.1", "localhost", "[::1]"]) origins.add(`http://${host}:${address.port}`)
      }
      yield* Effect.logWarning(
        "LOCAL MODE: no sign-in provider is configured (AUTH_PROVIDERS), so every request acts as the one local user. " +
          "This is allowed only on a loopback address; configure a provider before exposing docport."
      )
    } else {
      yield* Effect.logInfo(`sign-in providers: ${settings.providers.join(", ")}`)
    }
    return { ...settings, localMode, allowedOrigins: origins }
  })
)
