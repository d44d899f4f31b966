import * as Headers from "@effect/platform/Headers"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import type * as HttpPlatform from "@effect/platform/HttpPlatform"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import type * as Etag from "@effect/platform/Etag"
import type { FileSystem } from "@effect/platform/FileSystem"
import type { Path } from "@effect/platform/Path"
import { Effect, Layer } from "effect"
import * as Agents from "../domain/Agents.js"
import * as DataStore from "../domain/DataStore.js"
import * as Demos from "../domain/Demos.js"
import * as Deployments from "../domain/Deployments.js"
import { DatabaseService } from "../ports/DatabaseService.js"
import type { DatabaseError, InvalidName } from "../ports/Errors.js"
import type { ConfigError } from "effect/ConfigError"
import { AuthenticationLive, AuthHandlersLive, SignInLive } from "./auth/SignInLive.js"
import { ADMIN_PASSWORD_HEADER, AdminGateLive } from "./auth/AdminAccess.js"
import { AgentsLive } from "./http/AgentsHttp.js"
import { DocportApi } from "./http/Api.js"
import { ClientLogLive } from "./http/ClientLogHttp.js"
import { CorsLive } from "./http/Cors.js"
import { DataStoreLive } from "./http/DataStoreHttp.js"
import { type DataStoreUser, signedInUser } from "./http/DataStoreUser.js"
import { DemosLive } from "./http/DemosHttp.js"
import { DeploymentsLive } from "./http/DeploymentsHttp.js"
import { docsPage } from "./http/DocsPage.js"
import { fallbackErrors } from "./http/FallbackErrors.js"
import { HealthLive } from "./http/HealthHttp.js"
import { AdminLive, UsersLive } from "./http/UsersHttp.js"
import { MaxBodyBytes } from "./http/JsonBody.js"
import { requestEdge } from "./http/RequestEdge.js"
import { ValidationErrorsLive } from "./http/ValidationErrors.js"
import { GcMetricsLive } from "./observability/GcMetrics.js"
import { MetricsRoute } from "./observability/MetricsRoute.js"
import { observeRequests } from "./observability/RequestObservability.js"
import { serveInLeanContext } from "./http/LeanContext.js"

const ApiLive = HttpApiBuilder.api(DocportApi).pipe(
  Layer.provide([HealthLive, AgentsLive, DeploymentsLive, DemosLive, ClientLogLive, AuthHandlersLive, UsersLive, AdminLive]),
  Layer.provide(DataStoreLive),
  Layer.provide([AuthenticationLive, AdminGateLive])
)

// The edge: JSON bodies only and bounded, JSON errors for whatever no endpoint answers. Paths are
// case-sensitive (`/AGENTS` is not `/agents`), and an id reaches docport's own validation at any
// length (the URL is bounded by Node's header limit) instead of falling out of the router.
const EdgeLive = Layer.mergeAll(
  HttpApiBuilder.middleware(Effect.map(MaxBodyBytes, requestEdge)),
  HttpApiBuilder.middleware(fallbackErrors).pipe(Layer.provide(HttpApiBuilder.Router.Live)),
  HttpRouter.setRouterConfig({ caseSensitive: true, maxParamLength: Number.MAX_SAFE_INTEGER })
)

const DomainLive = Layer.mergeAll(Agents.layer, Demos.layer).pipe(Layer.provideMerge(Deployments.layer))

/**
 * HttpApiBuilder.serve, with the request observed around the application rather than as the
 * server's middleware (see RequestObservability.ts for why).
 */
const serve = (observe: boolean) =>
  HttpApiBuilder.httpApp.pipe(
    Effect.zipWith(DatabaseService, (app, database) => serveInLeanContext(observe ? observeRequests(app, database.provider) : app)),
    Layer.unwrapEffect,
    // The request span records every header but those named here: the admin password is one too,
    // and a sign-in's redirect carries its state and nonce in its Location.
    Layer.locallyWith(Headers.currentRedactedNames, (names) => [...names, ADMIN_PASSWORD_HEADER, "proxy-authorization", "location"]),
    Layer.provide([HttpApiBuilder.Router.Live, HttpApiBuilder.Middleware.layer])
  )

export interface HttpLiveOptions {
  /** The data store (default: DataStore.layer, flushing access counts after DATA_STORE_FLUSH_DELAY). */
  readonly dataStore?: Layer.Layer<DataStore.DataStore, ConfigError | DatabaseError | InvalidName, DatabaseService> | undefined
  /** Whose records a data-store request touches (default: the signed-in user). */
  readonly dataStoreUser?: Layer.Layer<DataStoreUser> | undefined
  readonly observeRequests?: boolean | undefined
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
  // observeRequests: off only for bench/, to measure what request ids, access logs and HTTP metrics cost.
  options: HttpLiveOptions = {}
) =>
  serve(options.observeRequests !== false).pipe(
    // The collector's pauses are recorded as long as /metrics is served.
    Layer.provide(Layer.merge(MetricsRoute, GcMetricsLive)),
    // Built after EdgeLive, so it wraps it: the edge's own answers (413, 415, a bad body) reach the
    // web UI with their CORS headers, instead of as a network error that hides their detail.
    Layer.provide(CorsLive),
    Layer.provide(EdgeLive),
    Layer.provide(ValidationErrorsLive),
    Layer.provide(docsPage("/docs")),
    Layer.provide(HttpApiBuilder.middlewareOpenApi({ path: "/openapi.json" })),
    Layer.provide(ApiLive),
    // Sign-in checks the address the server really listens on (local mode only on loopback).
    Layer.provide(SignInLive),
    HttpServer.withLogAddress,
    Layer.provideMerge(server),
    Layer.provide(Layer.mergeAll(DomainLive, options.dataStore ?? DataStore.layer, options.dataStoreUser ?? signedInUser)),
    Layer.provide(database)
  )
