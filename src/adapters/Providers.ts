import { Config } from "effect"

// The same list and variable as DatabaseLayer's, in a module that loads no SDK, so that a command
// line naming one backend does not load the other three.
export const PROVIDERS = ["memory", "couchdb", "firestore", "dynamodb"] as const
export type Provider = (typeof PROVIDERS)[number]

/** DATABASE_PROVIDER, default memory; anything else stops start-up listing the valid values. */
export const providerConfig: Config.Config<Provider> = Config.literal(...PROVIDERS)("DATABASE_PROVIDER").pipe(
  Config.withDefault("memory" as const)
)
