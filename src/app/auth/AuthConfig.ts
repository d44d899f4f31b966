import { Config, ConfigError, Duration, Effect, Either, Option, Redacted } from "effect"
import { checked } from "../checkedConfig.js"
import { isLoopbackHostname } from "../LoopbackName.js"
import { frontendUrlsConfig } from "../http/FrontendUrls.js"

export const DEV_STUB = "dev_stub"
/** Gofannon's DEV_STUB_ALLOWED_ENVS: the picker signs anyone in, so never in production. */
export const DEV_STUB_ENVS = ["local", "dev", "test"] as const
const PROVIDER_TYPE = /^[a-z][a-z0-9_]{0,31}$/

export interface DevUser {
  readonly uid: string
  readonly displayName: string
  readonly email: string | null
}

export interface OidcSettings {
  readonly type: string
  readonly displayName: string
  readonly icon: string | null
  readonly issuer: URL
  readonly clientId: string
  readonly clientSecret: Option.Option<Redacted.Redacted>
  readonly scopes: string
  readonly allowedDomains: ReadonlyArray<string>
  readonly allowedUsers: ReadonlyArray<string>
  /** Every account the issuer signs in is let in: for a tenant-specific issuer only. */
  readonly allowAnyUser: boolean
}

export interface AuthSettings {
  /** Empty: local mode. */
  readonly providers: ReadonlyArray<string>
  readonly appEnv: string
  readonly devUsers: ReadonlyArray<DevUser>
  readonly oidc: ReadonlyArray<OidcSettings>
  /** uids (`google:1043…`) or e-mail addresses. */
  readonly siteAdmins: ReadonlyArray<string>
  readonly sessionTtl: Duration.Duration
  /** Where the web UI runs: the callback sends the browser back there, and its origin may change data. */
  readonly frontendUrls: ReadonlyArray<URL>
  /** docport's own public address, when behind a proxy: redirect_uri, cookie Secure flag, allowed origin. */
  readonly publicUrl: Option.Option<URL>
  readonly maxFailures: number
  readonly failureWindow: Duration.Duration
  /** Behind a reverse proxy: the header it puts the client's address in (e.g. x-forwarded-for). */
  readonly clientAddressHeader: Option.Option<string>
}

const list = (name: string) =>
  Config.string(name).pipe(
    Config.withDefault(""),
    Config.map((s) => s.split(",").map((x) => x.trim()).filter((x) => x.length > 0))
  )

const url = (name: string, fallback?: string) =>
  (fallback === undefined ? Config.string(name) : Config.string(name).pipe(Config.withDefault(fallback))).pipe(
    Config.mapOrFail((s) =>
    Either.try({
      try: () => new URL(s),
      catch: () => ConfigError.InvalidData([name], `Expected an absolute URL but received ${JSON.stringify(s)}`)
    })
    )
  )


/** `alice` or `alice:alice@example.com`. */
const devUsers = list("AUTH_DEV_USERS").pipe(
  Config.map((entries) => entries.length > 0 ? entries : ["alice", "bob"]),
  Config.mapOrFail((entries) => {
    const users: Array<DevUser> = []
    for (const entry of entries) {
      const [uid, email] = entry.split(":", 2) as [string, string | undefined]
      if (!/^[A-Za-z0-9._-]{1,64}$/.test(uid)) {
        return Either.left(ConfigError.InvalidData(["AUTH_DEV_USERS"], `invalid dev user ${JSON.stringify(uid)}`))
      }
      users.push({ uid, displayName: uid, email: email ?? `${uid}@dev.local` })
    }
    return Either.right(users)
  })
)

const DEFAULT_ISSUERS: Record<string, string> = { google: "https://accounts.google.com" }
const DISPLAY_NAMES: Record<string, string> = { google: "Google", microsoft: "Microsoft" }

/** AUTH_<TYPE>_ISSUER, _CLIENT_ID, _CLIENT_SECRET, _DISPLAY_NAME, _SCOPES, _ALLOWED_DOMAINS, _ALLOWED_USERS. */
const oidc = (type: string): Config.Config<OidcSettings> => {
  const prefix = `AUTH_${type.toUpperCase()}`
  // Whole names rather than Config.nested: the same names whatever path delimiter the provider uses.
  const v = (suffix: string) => `${prefix}_${suffix}`
  const issuer = url(v("ISSUER"), DEFAULT_ISSUERS[type])
  return Config.all({
    issuer: checked(
      v("ISSUER"),
      issuer,
      "the issuer must use https (plain http only on a loopback address, for tests)",
      (u) => u.protocol === "https:" || (u.protocol === "http:" && isLoopbackHostname(u.hostname))
    ),
    clientId: Config.string(v("CLIENT_ID")),
    clientSecret: Config.option(Config.redacted(v("CLIENT_SECRET"))),
    displayName: Config.string(v("DISPLAY_NAME")).pipe(Config.withDefault(DISPLAY_NAMES[type] ?? type)),
    scopes: Config.string(v("SCOPES")).pipe(Config.withDefault("openid email profile")),
    allowedDomains: list(v("ALLOWED_DOMAINS")).pipe(Config.map((ds) => ds.map((d) => d.toLowerCase()))),
    // As given: a subject is matched exactly (OpenID subjects are case-sensitive), an address without case.
    allowedUsers: list(v("ALLOWED_USERS")),
    allowAnyUser: Config.boolean(v("ALLOW_ANY_USER")).pipe(Config.withDefault(false))
  }).pipe(
    Config.mapOrFail((s) =>
    s.allowedDomains.length === 0 && s.allowedUsers.length === 0 && !s.allowAnyUser
      ? Either.left(ConfigError.InvalidData(
        [`${prefix}_ALLOWED_DOMAINS`],
        `${type} would let every account of ${s.issuer.host} sign in: set ${prefix}_ALLOWED_DOMAINS or ${prefix}_ALLOWED_USERS (or ${prefix}_ALLOW_ANY_USER=true)`
      ))
      : Either.right({ ...s, type, icon: type in DISPLAY_NAMES ? type : null })
    )
  )
}

const baseConfig = Config.all({
  providers: list("AUTH_PROVIDERS").pipe(Config.mapOrFail((types) => {
    const bad = types.find((t) => !PROVIDER_TYPE.test(t))
    return bad === undefined
      ? Either.right([...new Set(types)])
      : Either.left(ConfigError.InvalidData(["AUTH_PROVIDERS"], `invalid provider type ${JSON.stringify(bad)}`))
  })),
  appEnv: Config.string("APP_ENV").pipe(Config.withDefault("production")),
  // As given: a uid is matched exactly, an e-mail address without case (Admission.ts).
  siteAdmins: list("SITE_ADMINS"),
  sessionTtl: checked(
    "SESSION_TTL_HOURS",
    Config.number("SESSION_TTL_HOURS").pipe(Config.withDefault(24)),
    "Expected a positive number of hours, at most 8784 (a year)",
    (h) => h > 0 && h <= 24 * 366
  ).pipe(Config.map((h) => Duration.millis(Math.round(h * 3_600_000)))),
  // Sign-in needs somewhere to send the browser back to: Gofannon's UI dev server by default.
  frontendUrls: Config.map(frontendUrlsConfig, (urls) => urls.length > 0 ? urls : [new URL("http://localhost:3000")]),
  publicUrl: Config.option(url("PUBLIC_URL")),
  maxFailures: checked(
    "AUTH_MAX_FAILURES",
    Config.integer("AUTH_MAX_FAILURES").pipe(Config.withDefault(10)),
    "Expected a positive integer",
    (n) => n > 0
  ),
  failureWindow: Config.duration("AUTH_FAILURE_WINDOW").pipe(Config.withDefault(Duration.minutes(15))),
  clientAddressHeader: Config.option(Config.string("AUTH_CLIENT_ADDRESS_HEADER")).pipe(
    Config.map(Option.map((h) => h.toLowerCase()))
  )
})

/** Everything sign-in reads from the environment; a provider's variables are read only when it is enabled. */
export const authConfig: Effect.Effect<AuthSettings, ConfigError.ConfigError> = Effect.gen(function*() {
  const base = yield* baseConfig
  const devUserList = base.providers.includes(DEV_STUB) ? yield* devUsers : []
  const oidcSettings = yield* Config.all(base.providers.filter((t) => t !== DEV_STUB).map(oidc))
  return { ...base, devUsers: devUserList, oidc: oidcSettings }
})

/** Refuses settings that would be unsafe to start with, in words that say how to fix them. */
export const checkAuthSettings = (settings: AuthSettings) =>
  settings.providers.includes(DEV_STUB) && !(DEV_STUB_ENVS as ReadonlyArray<string>).includes(settings.appEnv)
    ? Effect.fail(
      ConfigError.InvalidData(
        ["AUTH_PROVIDERS"],
        `dev_stub signs anyone in without a password and is allowed only when APP_ENV is ${
          DEV_STUB_ENVS.join(", ")
        } (APP_ENV is ${JSON.stringify(settings.appEnv)})`
      )
    )
    : Effect.succeed(settings)
