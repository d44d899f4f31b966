import { HttpApiBuilder, HttpApiSwagger } from "@effect/platform"
import { Layer } from "effect"
import * as Agents from "../domain/Agents.js"
import * as Demos from "../domain/Demos.js"
import * as Deployments from "../domain/Deployments.js"
import type { DatabaseService } from "../ports/DatabaseService.js"
import { AgentsLive } from "./http/AgentsHttp.js"
import { DocportApi } from "./http/Api.js"
import { fallbackErrors } from "./http/FallbackErrors.js"
import { DemosLive } from "./http/DemosHttp.js"
import { DeploymentsLive } from "./http/DeploymentsHttp.js"
import { HealthLive } from "./http/HealthHttp.js"

const ApiLive = HttpApiBuilder.api(DocportApi).pipe(
  Layer.provide([HealthLive, AgentsLive, DeploymentsLive, DemosLive])
)

const DomainLive = Layer.mergeAll(Agents.layer, Demos.layer).pipe(Layer.provideMerge(Deployments.layer))

/**
 * The whole application on top of one DatabaseService layer, still needing an HttpServer.
 * main.ts gives it the configured backend and a listening Node server; tests give it theirs.
 */
export const makeHttpLive = <E>(database: Layer.Layer<DatabaseService, E>) =>
  HttpApiBuilder.serve().pipe(
    Layer.provide(HttpApiBuilder.middleware(fallbackErrors)),
    Layer.provide(HttpApiSwagger.layer({ path: "/docs" })),
    Layer.provide(HttpApiBuilder.middlewareOpenApi({ path: "/openapi.json" })),
    Layer.provide(ApiLive),
    Layer.provide(DomainLive),
    Layer.provide(database)
  )
