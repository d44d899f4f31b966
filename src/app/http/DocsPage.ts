import * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { Effect, Layer } from "effect"
import { withPageHeaders } from "./HtmlPage.js"

/**
 * The platform's Swagger UI, served at `path` but loaded on the first request for it. Its module
 * holds the UI's 2 MB bundle as source and strings: imported at start-up it kept 7.6 MB of every
 * process's heap (each `WORKERS` process again) and 9 - 13 MB of its RSS, for a page an operator
 * opens now and then. The page itself is the platform's, built by its own layer on a router of
 * its own the first time, then answered by that router.
 */
export const docsPage = (path: `/${string}`) =>
  HttpApiBuilder.Router.use((router) =>
    Effect.gen(function*() {
      const api = yield* HttpApi.Api
      const page = yield* Effect.cached(
        Effect.promise(() => import("@effect/platform/HttpApiSwagger")).pipe(
          Effect.flatMap((swagger) =>
            HttpApiBuilder.Router.router.pipe(
              Effect.provide(Layer.provideMerge(swagger.layer({ path }), HttpApiBuilder.Router.Live)),
              Effect.provideService(HttpApi.Api, api)
            )
          )
        )
      )
      yield* router.get(path, Effect.map(Effect.flatten(page), withPageHeaders))
    })
  )
