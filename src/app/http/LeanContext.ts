import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpPlatform from "@effect/platform/HttpPlatform"
import * as HttpServer from "@effect/platform/HttpServer"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Etag from "@effect/platform/Etag"
import { FileSystem } from "@effect/platform/FileSystem"
import { Path } from "@effect/platform/Path"
import { Context, Effect, Layer, Scope } from "effect"

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
      Effect.mapInputContext(HttpServer.serveEffect(app), () => Context.pick(...REQUEST_SERVICES)(context as Context.Context<RequestServices>))
    )
  )

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
