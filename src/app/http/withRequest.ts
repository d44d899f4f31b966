import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import { Context, Effect } from "effect"

/**
 * `f` of the request being served, read from the fiber's context in one Effect step, where
 * `Effect.flatMap(HttpServerRequest.HttpServerRequest, f)` takes two. For the steps every request
 * runs (the edge, sign-in): each Effect step of a request costs about 1.7 K instructions
 * (bench/http/instructionBench.ts).
 */
export const withRequest = <A, E, R>(
  f: (request: HttpServerRequest.HttpServerRequest) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R | HttpServerRequest.HttpServerRequest> =>
  Effect.withFiberRuntime((fiber) =>
    f(Context.unsafeGet(fiber.currentContext as Context.Context<HttpServerRequest.HttpServerRequest>, HttpServerRequest.HttpServerRequest))
  )
