import { HttpApiBuilder, type HttpPlatform, HttpRouter, HttpServer, HttpApiSwagger } from "@effect/platform"
import type { Etag } from "@effect/platform"
import type { FileSystem } from "@effect/platform/FileSystem"
import type { Path } from "@effect/platform/Path"
import { Layer } from "effect"
import * as Agents from "../domain/Agents.js"
import * as DataStore from "../domain/DataStore.js"
import * as Demos from "../domain/Demos.js"
import * as Deployments from "../domain/Deployments.js"
import type { DatabaseService } from "../ports/DatabaseService.js"
import type { DatabaseError, InvalidName } from "../ports/Errors.js"
import type { ConfigError } from "effect/ConfigError"
import { AgentsLive } from "./http/AgentsHttp.js"
import { DocportApi } from "./http/Api.js"
import { DataStoreLive } from "./http/DataStoreHttp.js"
import { type DataStoreUser, localUser } from "./http/DataStoreUser.js"
import { DemosLive } from "./http/DemosHttp.js"
import { DeploymentsLive } from "./http/DeploymentsHttp.js"
import { fallbackErrors } from "./http/FallbackErrors.js"
import { HealthLive } from "./http/HealthHttp.js"

const ApiLive = HttpApiBuilder.api(DocportApi).pipe(
  Layer.provide([HealthLive, AgentsLive, DeploymentsLive, DemosLive]),
  Layer.provide(DataStoreLive)
)

const DomainLive = Layer.mergeAll(Agents.layer, Demos.layer).pipe(Layer.provideMerge(Deployments.layer))

export interface HttpLiveOptions {
  /** The data store (default: DataStore.layer, flushing access counts after DATA_STORE_FLUSH_DELAY). */
  readonly dataStore?: Layer.Layer<DataStore.DataStore, ConfigError | DatabaseError | InvalidName, DatabaseService> | undefined
  /** Whose records a data-store request touches (default: the local user, until sign-in replaces it). */
  readonly dataStoreUser?: Layer.Layer<DataStoreUser> | undefined
}

type ServerServices = HttpServer.HttpServer | HttpPlatform.HttpPlatform | Etag.Generator | FileSystem | Path

/**
 * The whole application over one database layer and one HTTP server layer. The nesting fixes
 * the order of shutdown: the server stops taking requests and drains the ones in flight before
 * the domain and the database client are released.
 */
export const makeHttpLive = <E1, E2>(
  database: Layer.Layer<DatabaseService, E1>,
  server: Layer.Layer<ServerServices, E2>,
  options: HttpLiveOptions = {}
) =>
  HttpApiBuilder.serve().pipe(
    Layer.provide(HttpApiBuilder.middleware(fallbackErrors)),
    Layer.provide(HttpApiSwagger.layer({ path: "/docs" })),
    Layer.provide(HttpApiBuilder.middlewareOpenApi({ path: "/openapi.json" })),
    Layer.provide(ApiLive),
    // The router refuses path parameters over 100 characters by default; a data-store namespace
    // may be up to 1,500 bytes, percent-encoded by the UI.
    Layer.provide(HttpRouter.setRouterConfig({ maxParamLength: 4096 })),
    HttpServer.withLogAddress,
    Layer.provideMerge(server),
    Layer.provide(Layer.mergeAll(DomainLive, options.dataStore ?? DataStore.layer, options.dataStoreUser ?? localUser)),
    Layer.provide(database)
  )
