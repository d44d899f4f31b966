import { Agent } from "@effect/platform-node/Undici"
import { Effect, Redacted } from "effect"
import nano from "nano"
import * as CouchDbDatabase from "../../src/adapters/couchdb/CouchDbDatabase.js"
import { startPouchdbServer } from "../../test/support/pouchdbServer.js"
import { BENCH_TIMEOUT, type BenchBackend, type RawClient, uniqueName } from "./Backend.js"

/** nano over the same kind of undici pool and the same Basic authentication as the adapter, closed with the scope. */
export const nanoClient = (url: string, username: string, password: string) =>
  Effect.map(
    Effect.acquireRelease(
      Effect.sync(() => new Agent({ keepAliveTimeout: 4_000, connections: 32 })),
      (agent) => Effect.promise(() => agent.destroy())
    ),
    (agent) =>
      nano({
        url,
        agentOptions: agent as unknown as nano.Configuration["agentOptions"],
        headers: { Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}` }
      })
  )

const rawClient = (url: string, username: string, password: string, prefix: string) =>
  Effect.map(
    nanoClient(url, username, password),
    (server): RawClient => {
      const db = (collection: string) => server.use<Record<string, unknown>>(`${prefix}${collection}`)
      const revs = new Map<string, string>()
      return {
        get: (collection, id) => db(collection).get(id),
        refresh: async (collection, ids) => {
          for (const row of (await db(collection).fetchRevs({ keys: [...ids] })).rows) {
            if ("value" in row) revs.set(row.id, row.value.rev)
          }
        },
        save: async (collection, id, body) => {
          // PUT /{db}/{id}, the request the adapter makes (nano sends a document without a name as POST /{db}).
          revs.set(id, (await db(collection).insert({ ...body, _rev: revs.get(id) }, id)).rev)
        },
        // The adapter's limited find: a range on its index over the field then _id, in id order, one row more.
        find: async (collection, field, value, limit) =>
          (await db(collection).find({
            selector: { [field]: { $eq: value }, _id: { $gt: null } },
            sort: [{ [field]: "asc" }, { _id: "asc" }],
            use_index: [`docport-paging-${field}`, `paging-${field}`],
            limit: limit + 1
          })).docs.slice(0, limit),
        getMany: async (collection, ids) =>
          (await db(collection).fetch({ keys: [...ids] })).rows.filter((row) => "doc" in row && row.doc != null).length
      }
    }
  )

/** pouchdb-server in memory, started the way the tests start it. */
export const couchdb: BenchBackend = {
  name: "couchdb",
  start: Effect.map(startPouchdbServer(), (server) => {
    const prefix = (namespace: string) => `${namespace}_`
    const options = (namespace: string, via: string | undefined): CouchDbDatabase.CouchDbOptions => ({
      url: via ?? server.url,
      username: server.username,
      password: Redacted.make(server.password),
      databasePrefix: prefix(namespace),
      requestTimeout: BENCH_TIMEOUT
    })
    return {
      name: "couchdb",
      endpoint: server.url,
      protocol: "http1" as const,
      namespace: uniqueName,
      docportEnv: (namespace) => ({
        COUCHDB_URL: server.url,
        COUCHDB_USER: server.username,
        COUCHDB_PASSWORD: server.password,
        COUCHDB_DATABASE_PREFIX: prefix(namespace)
      }),
      module: "adapters/couchdb/CouchDbDatabase",
      options: (namespace) => options(namespace, undefined),
      adapter: (namespace, via) => CouchDbDatabase.make(options(namespace, via)),
      raw: (namespace) => rawClient(server.url, server.username, server.password, prefix(namespace))
    }
  })
}
