import { Context, Effect, Layer } from "effect"

/**
 * Whose records a data-store request reads and writes. This is the one place sign-in plugs in:
 * replace `current` with the signed-in user's id (issue 12's CurrentUser) and the data store
 * follows. Until then every request is the local user's, as in local mode.
 */
export class DataStoreUser extends Context.Tag("docport/DataStoreUser")<DataStoreUser, {
  readonly current: Effect.Effect<string>
}>() {}

export const LOCAL_USER = "local"

export const localUser = Layer.succeed(DataStoreUser, { current: Effect.succeed(LOCAL_USER) })
