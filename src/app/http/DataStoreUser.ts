import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import { Context, Effect, Layer } from "effect"
import { currentUser } from "../auth/CurrentUser.js"

/**
 * Whose records a data-store request reads and writes: the signed-in principal (in local mode,
 * the one local user). A tag of its own so that tests can stand two users side by side.
 */
export class DataStoreUser extends Context.Tag("docport/DataStoreUser")<DataStoreUser, {
  readonly current: Effect.Effect<string, never, HttpServerRequest.HttpServerRequest>
}>() {}

/** The principal the Authentication middleware put on the request (the group requires one). */
export const signedInUser = Layer.succeed(DataStoreUser, {
  current: Effect.map(currentUser, (principal) => principal.uid)
})
