import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpPlatform from "@effect/platform/HttpPlatform"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Etag from "@effect/platform/Etag"
import { FileSystem } from "@effect/platform/FileSystem"
import { Path } from "@effect/platform/Path"
import { Context, Effect, type FiberId, type FiberRef, FiberRefs, Layer, Scope } from "effect"

/**
 * What a request's fiber may read from its context beyond what the server gives each request: the
 * server itself and its scope, and the platform services a file response needs. Every endpoint
 * reads its services from the context its group was built in (HttpApiBuilder merges that in), and
 * a route beside the API reads its own when it is built (MetricsRoute.ts): the type of
 * serveInLeanContext refuses an application that needs any other service at request time, but a
 * Context.Reference escapes it, since it has a default.
 */
const REQUEST_SERVICES = [
  HttpServer.HttpServer,
  Scope.Scope,
  HttpPlatform.HttpPlatform,
  Etag.Generator,
  FileSystem,
  Path
] as const

type RequestServices = Context.Tag.Identifier<(typeof REQUEST_SERVICES)[number]>

/**
 * HttpServer.serve, with the requests' fibers started in a context of REQUEST_SERVICES alone rather
 * than of every service the application was built from (over thirty). Effect copies a fiber's
 * context each time a service is provided or a context merged, and compares the old and new ones
 * entry by entry when a FiberRef is restored; a request does that several times, so the size of
 * the context it starts in was about a tenth of a GET's CPU (bench/http/appCostBench.ts).
 */
export const serveInLeanContext = <E>(
  app: HttpApp.Default<E, HttpServerRequest.HttpServerRequest | RequestServices>
): Layer.Layer<never, never, HttpServer.HttpServer> =>
  Layer.scopedDiscard(
    Effect.contextWithEffect((context: Context.Context<HttpServer.HttpServer | Scope.Scope>) =>
      Effect.mapInputContext(
        withLeanFiberRefs(HttpServer.serveEffect(app)),
        () => Context.pick(...REQUEST_SERVICES)(context as Context.Context<RequestServices>)
      )
    )
  )

// Read when the router is built (HttpRouter.toHttpApp), never by a request.
const BUILD_ONLY: ReadonlySet<FiberRef.FiberRef<unknown>> = new Set([HttpRouter.currentRouterConfig as FiberRef.FiberRef<unknown>])

/**
 * `effect` (the server capturing the runtime its requests' fibers start from), run with the fiber's
 * FiberRefs as they read now: one value each, without the values of the fibers that built the
 * application beneath it, and without those only building reads; the fiber's own are put back
 * after. Every change a request makes to a FiberRef (the platform provides a service about ten
 * times a request) copies the map of them and the changed one's stack of values. A `GET`'s fiber
 * started with 6 FiberRefs holding 3, 3, 2, 2, 1 and 1 values, the bare HttpApi's with 3 holding
 * 2, 1 and 2; the copying took 17 µs of docport's `GET` against 10 of the bare HttpApi's in CPU
 * profiles of both servers under load, and the build before this change took 1.009 - 1.017 × its
 * CPU side by side.
 *
 * `setFiberRefs` replaces them; Effect's own `Effect.setFiberRefs` sets each value over the old
 * stack instead. Running the server in a fiber forked from a lean runtime instead left a log
 * level set by a layer in the building fiber after the layer's scope had closed
 * (test/observability/logs.test.ts). Should a later Effect drop the method, the server starts
 * with the FiberRefs as they are.
 */
const withLeanFiberRefs = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.withFiberRuntime((fiber) => {
    const running = fiber as typeof fiber & { setFiberRefs?: (refs: FiberRefs.FiberRefs) => void }
    if (typeof running.setFiberRefs !== "function") return effect
    const refs = fiber.getFiberRefs()
    const id = fiber.id()
    const lean = new Map<FiberRef.FiberRef<any>, readonly [readonly [FiberId.Single, unknown]]>()
    for (const ref of FiberRefs.fiberRefs(refs)) {
      if (!BUILD_ONLY.has(ref)) lean.set(ref, [[id, FiberRefs.getOrDefault(refs, ref)]])
    }
    running.setFiberRefs(FiberRefs.unsafeMake(lean))
    return Effect.ensuring(effect, Effect.sync(() => running.setFiberRefs!(refs)))
  })

/**
 * An API group's layer, built in a context holding only `services` (plus the scope and memo map
 * that building needs). HttpApiBuilder.group keeps the context its group was built in and merges
 * it into every request's, so a group built amid the whole application copied over thirty
 * entries per request, where its handlers need two or three. The type asks for every service
 * the group requires.
 */
export const groupInLeanContext = <const Tags extends ReadonlyArray<Context.Tag<any, any>>>(...services: Tags) =>
<ROut, E>(
  group: Layer.Layer<ROut, E, Context.Tag.Identifier<Tags[number]>>
): Layer.Layer<ROut, E, Context.Tag.Identifier<Tags[number]>> => {
  type Services = Context.Tag.Identifier<Tags[number]>
  return Layer.scopedContext(
    Effect.contextWithEffect((context: Context.Context<Services | Scope.Scope>) =>
      Effect.mapInputContext(
        // The application's memo map: the layers the group shares with the others (the API's
        // router above all) are the same instances, not new ones.
        Layer.buildWithMemoMap(group, Context.get(context, Layer.CurrentMemoMap), Context.get(context, Scope.Scope)),
        (): Context.Context<Services> => Context.pick(...services)(context) as Context.Context<Services>
      )
    )
  ) as Layer.Layer<ROut, E, Services>
}
