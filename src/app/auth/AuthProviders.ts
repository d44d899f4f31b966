import { Context, Effect, Layer } from "effect"
import { DEV_STUB } from "./AuthConfig.js"
import type { AuthProvider } from "./AuthProvider.js"
import * as DevStubProvider from "./DevStubProvider.js"
import { SignInSettings } from "./SignInSettings.js"

/** The enabled providers, in the order of AUTH_PROVIDERS, as Gofannon's ProviderRegistry. */
export class AuthProviders extends Context.Tag("docport/AuthProviders")<AuthProviders, ReadonlyArray<AuthProvider>>() {}

export const layer = Layer.effect(
  AuthProviders,
  Effect.gen(function*() {
    const settings = yield* SignInSettings
    // openid-client is loaded only when an OpenID provider is configured: local mode starts without it.
    const oidc = settings.oidc.length === 0 ? [] : yield* Effect.flatMap(
      Effect.promise(() => import("./OidcProvider.js")),
      (OidcProvider) => Effect.forEach(settings.oidc, OidcProvider.make)
    )
    return settings.providers.map((type) =>
      type === DEV_STUB ? DevStubProvider.make(settings.devUsers) : oidc.find((p) => p.type === type)!
    )
  })
)
