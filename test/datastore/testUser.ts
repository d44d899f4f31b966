import { HttpServerRequest } from "@effect/platform"
import { Effect, Layer, Option } from "effect"
import { DataStoreUser, LOCAL_USER } from "../../src/app/http/DataStoreUser.js"

/** Tests only: the user named by the request's `x-test-user` header, standing in for sign-in. */
export const headerUser = Layer.succeed(DataStoreUser, {
  current: Effect.map(Effect.serviceOption(HttpServerRequest.HttpServerRequest), (request) =>
    Option.match(request, {
      onNone: () => LOCAL_USER,
      onSome: (r) => r.headers["x-test-user"] ?? LOCAL_USER
    }))
})
