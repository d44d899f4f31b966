import { HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { ConfigProvider, Context, Effect, Exit, Layer, Scope } from "effect"
import { createServer } from "node:http"
import * as MemoryDatabase from "../../src/adapters/MemoryDatabase.js"
import { makeHttpLive } from "../../src/app/HttpLive.js"
import type { DatabaseService } from "../../src/ports/DatabaseService.js"

export interface RunningDocport {
  readonly base: string
  readonly close: () => Promise<void>
}

/**
 * The real application on a loopback socket, configured by variables as the environment would
 * configure it, for async tests. Fails (with the start-up error) where docport would not start.
 */
export const startDocport = async (
  env: Record<string, string>,
  options: { readonly port?: number; readonly host?: string; readonly database?: Layer.Layer<DatabaseService, unknown> } = {}
): Promise<RunningDocport> => {
  const scope = Effect.runSync(Scope.make())
  const app = makeHttpLive(
    options.database ?? MemoryDatabase.layer,
    NodeHttpServer.layer(createServer, { port: options.port ?? 0, host: options.host ?? "127.0.0.1" })
  ).pipe(Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))))
  const exit = await Effect.runPromiseExit(Layer.buildWithScope(app, scope))
  if (Exit.isFailure(exit)) {
    await Effect.runPromise(Scope.close(scope, Exit.void))
    const error = exit.cause._tag === "Fail" ? exit.cause.error : exit.cause
    throw new Error(String(error))
  }
  const address = Context.get(exit.value, HttpServer.HttpServer).address
  if (address._tag !== "TcpAddress") throw new Error("expected a TCP address")
  return {
    base: `http://127.0.0.1:${address.port}`,
    close: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

export const freePortNow = async () => {
  const { freePort } = await import("./ChildServer.js")
  return Effect.runPromise(freePort)
}
