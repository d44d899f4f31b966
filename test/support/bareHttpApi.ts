import * as HttpServer from "@effect/platform/HttpServer"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { Context, Effect, Layer } from "effect"
import { createServer, type Server } from "node:http"
import { BareHttpApiLive } from "../../bench/baseline/httpApi.js"
import type { Agents } from "../../bench/http/scenarios.js"

/**
 * The bench's bare HttpApi (agent routes over a Map) on a free loopback port of this process, for
 * as long as the scope lasts: its URL. Its Map belongs to its module, so servers of one test file
 * share their agents.
 */
export const bareHttpApiOn = (server: () => Server) => Effect.map(
  Layer.build(Layer.provideMerge(BareHttpApiLive, NodeHttpServer.layer(server, { port: 0, host: "127.0.0.1" }))),
  (context) => {
    const address = Context.get(context, HttpServer.HttpServer).address
    return `http://127.0.0.1:${address._tag === "TcpAddress" ? address.port : 0}`
  }
)

export const bareHttpApi = bareHttpApiOn(createServer)

/** An agent's revision as the server holds it now. */
const currentRev = (url: string, id: string) =>
  Effect.promise(() => fetch(`${url}/agents/${id}`).then((r) => r.json() as Promise<{ _rev: string }>)).pipe(Effect.map((a) => a._rev))

/** The agents whose revision the bench holds is not the server's. */
export const staleIds = (url: string, agents: Agents) =>
  Effect.filter(agents.ids, (id) => Effect.map(currentRev(url, id), (rev) => rev !== agents.revs.get(id)), { concurrency: 8 })
