import { Context, Effect, Layer, type Scope } from "effect"
import type { ConfigError } from "effect/ConfigError"
import { backendLayer } from "../adapters/BackendLayer.js"
import type { Provider } from "../adapters/Providers.js"
import { CollectionCatalog, type CollectionCatalogShape } from "../ports/CollectionCatalog.js"
import { DatabaseService, type DatabaseServiceShape } from "../ports/DatabaseService.js"
import type { DatabaseError } from "../ports/Errors.js"
import { type ProviderSetting, refuseMemory, SERVICE, SOURCE, TARGET } from "./ProviderChoice.js"
import type { Refused } from "./Refused.js"
import { retryTransient } from "./WritePage.js"

export interface Backend {
  readonly provider: Provider
  readonly db: DatabaseServiceShape
  readonly catalog: CollectionCatalogShape
}

/** `service`: the service's own variables; `source`/`target`: the same behind SOURCE_ or TARGET_. */
export type Role = "service" | "source" | "target"

const PREFIXES: Record<Role, string | undefined> = { service: undefined, source: "SOURCE", target: "TARGET" }
const SETTINGS: Record<Role, ProviderSetting> = { service: SERVICE, source: SOURCE, target: TARGET }

/**
 * Opens a backend for a command, for as long as the scope lasts. Tests provide their own, where
 * memory stands in for a lasting backend in the same process.
 */
export class Backends extends Context.Tag("docport/cli/Backends")<Backends, {
  readonly open: (role: Role, provider: Provider) => Effect.Effect<Backend, ConfigError | DatabaseError | Refused, Scope.Scope>
}>() {}

export const fromLayer = <E>(provider: Provider, layer: Layer.Layer<DatabaseService | CollectionCatalog, E>) =>
  Effect.map(Layer.build(layer), (context): Backend => ({
    provider,
    db: Context.get(context, DatabaseService),
    catalog: Context.get(context, CollectionCatalog)
  }))

export const layer: Layer.Layer<Backends> = Layer.succeed(Backends, {
  open: (role, provider) =>
    Effect.flatMap(
      refuseMemory(provider, SETTINGS[role]),
      // The adapters check the backend answers when they start: a backend out of reach for a
      // moment gets the same retries as any read. A failed attempt's clients close with the command.
      () => retryTransient(fromLayer(provider, backendLayer(provider, PREFIXES[role])))
    )
})
