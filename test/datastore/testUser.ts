import { HttpServerRequest } from "@effect/platform"
import { Effect, Layer, Option } from "effect"
import { DataStoreUser } from "../../src/app/http/DataStoreUser.js"

// The user of a request without the header (the suites' op() default).
const DEFAULT_USER = "local"

/** Tests only: the user named by the request's `x-test-user` header, standing in for sign-in. */
export const headerUser = Layer.succeed(DataStoreUser, {
  current: Effect.map(Effect.serviceOption(HttpServerRequest.HttpServerRequest), (request) =>
    Option.match(request, {
      onNone: () => DEFAULT_USER,
      onSome: (r) => r.headers["x-test-user"] ?? DEFAULT_USER
    }))
})
