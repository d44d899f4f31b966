import { Config, Effect, Option } from "effect"
import type { ConfigError } from "effect/ConfigError"
import { PROVIDERS, type Provider } from "../adapters/Providers.js"
import { Refused } from "./Refused.js"

/** The backends a command can read or write: memory lives and dies with the process. */
export const LASTING = PROVIDERS.filter((p) => p !== "memory")

/** How the operator names one end of a command: its option, else its variable. */
export interface ProviderSetting {
  /** The option's name, without its dashes. */
  readonly option: string
  readonly variable: string
}

export const SERVICE: ProviderSetting = { option: "provider", variable: "DATABASE_PROVIDER" }
export const SOURCE: ProviderSetting = { option: "from-provider", variable: "SOURCE_DATABASE_PROVIDER" }
export const TARGET: ProviderSetting = { option: "to-provider", variable: "TARGET_DATABASE_PROVIDER" }

const how = (setting: ProviderSetting) => `set ${setting.variable} (or --${setting.option}) to ${LASTING.join(", ")}`

/**
 * The option when given, else the variable. Unset is refused rather than left to @effect/cli,
 * whose "Expected to find option" names only the option, never the variable.
 */
export const chooseProvider = (given: Option.Option<Provider>, setting: ProviderSetting): Effect.Effect<Provider, Refused | ConfigError> =>
  Option.match(given, {
    onSome: Effect.succeed,
    onNone: () =>
      Effect.flatMap(
        Config.option(Config.literal(...PROVIDERS)(setting.variable)),
        Option.match({
          onSome: Effect.succeed,
          onNone: () => Effect.fail(new Refused({ message: `no backend chosen: ${how(setting)}` }))
        })
      )
  })

/**
 * Memory from the command line would be a fresh, empty backend in this process: an import into it
 * is gone when the command ends and an export of it is empty, each "succeeding".
 */
export const refuseMemory = (provider: Provider, setting: ProviderSetting): Effect.Effect<Provider, Refused> =>
  provider === "memory"
    ? Effect.fail(new Refused({ message: `memory keeps nothing once the command ends: ${how(setting)}` }))
    : Effect.succeed(provider)
