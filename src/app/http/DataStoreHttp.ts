import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import { Effect } from "effect"
import { InvalidRecord, RecordNotFound } from "../../domain/DataRecord.js"
import { DataStore } from "../../domain/DataStore.js"
import { Authentication } from "../auth/CurrentUser.js"
import { DocportApi } from "./Api.js"
import { type DataStoreFailure, dataStoreErrors } from "./DataStoreErrors.js"
import { DataStoreUser } from "./DataStoreUser.js"
import { jsonArrayResponse } from "./JsonArrayStream.js"
import { unsafeJsonText } from "./JsonText.js"
import { groupInLeanContext } from "./LeanContext.js"

// The key as sent, after the namespace's segment: the router has dropped any empty segment. The
// target may be in absolute form (`http://host/data-store/…`), which HTTP/1.1 servers must take.
const SENT_KEY = /^(?:[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?]*)?\/+data-store\/+namespaces\/+[^/?]+\/+records\/([^?]*)/

/**
 * The record path's key, if the path as sent names that key. The router drops empty segments, so
 * 'a//b', 'a/' and '/a' arrived as 'a/b' and 'a', and a write or delete went to another record;
 * a key with such '/' must come percent-encoded.
 */
const recordKey = (key: string) =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
    const sent = SENT_KEY.exec(request.url)?.[1]
    return sent === undefined || sent.startsWith("/") || sent.endsWith("/") || sent.includes("//")
      ? Effect.fail(new InvalidRecord({ reason: "a key sent with its '/' as it is must not have an empty segment: percent-encode each '/' as %2F" }))
      : Effect.succeed(key)
  })

export const DataStoreLive = HttpApiBuilder.group(DocportApi, "dataStore", (handlers) =>
  Effect.gen(function*() {
    const store = yield* DataStore
    const { current: currentUserId } = yield* DataStoreUser
    /** Runs `f` as the current user, with the data store's failures as declared HTTP errors. */
    const asUser = <A, R>(f: (userId: string) => Effect.Effect<A, DataStoreFailure, R>) => dataStoreErrors(Effect.flatMap(currentUserId, f))

    // Unpaged: the first pages decide the status, the rest streams behind them.
    const everything = (userId: string, namespace: string, agent: string | undefined, open: string, close: string) =>
      jsonArrayResponse(store.records(userId, namespace, { agent }), { open, close, what: "data-store listing" })

    return handlers
      .handle("namespaces", () => asUser((user) => store.namespaces(user)))
      .handle("namespaceStats", ({ path }) => asUser((user) => store.namespaceStats(user, path.namespace)))
      .handle("clearNamespace", ({ path }) =>
        asUser((user) => Effect.map(store.clear(user, path.namespace), (deletedCount) => ({ namespace: path.namespace, deletedCount }))))
      .handle("listRecords", ({ path, urlParams }) =>
        asUser((user) =>
          urlParams.limit === undefined
            ? everything(user, path.namespace, undefined, "[", "]")
            : Effect.map(store.page(user, path.namespace, { limit: urlParams.limit, cursor: urlParams.cursor }), ({ nextCursor, records }) =>
              unsafeJsonText(records, { headers: nextCursor === null ? {} : { "x-next-cursor": nextCursor } }))
        ))
      .handle("getRecord", ({ path }) => asUser((user) => Effect.flatMap(recordKey(path["*"]), (key) => store.get(user, path.namespace, key))))
      .handle("setRecord", ({ path, payload }) =>
        asUser((user) =>
          Effect.flatMap(recordKey(path["*"]), (key) =>
            store.set(user, path.namespace, { key, value: payload.value, metadata: payload.metadata, _rev: payload._rev }))))
      .handle("deleteRecord", ({ path }) =>
        asUser((user) =>
          Effect.flatMap(recordKey(path["*"]), (key) =>
            Effect.flatMap(store.delete(user, path.namespace, key), (deleted) =>
              deleted ? Effect.void : Effect.fail(new RecordNotFound({ namespace: path.namespace, key }))))))
      .handle("get", ({ payload }) =>
        asUser((user) =>
          store.get(user, payload.namespace, payload.key, payload.agent).pipe(
            Effect.map((record) => ({ record })),
            Effect.catchTag("RecordNotFound", () => Effect.succeed({ record: null }))
          )))
      .handle("set", ({ payload }) =>
        asUser((user) =>
          store.set(user, payload.namespace, { key: payload.key, value: payload.value, metadata: payload.metadata, _rev: payload._rev }, payload.agent)))
      .handle("delete", ({ payload }) =>
        asUser((user) => Effect.map(store.delete(user, payload.namespace, payload.key), (deleted) => ({ deleted }))))
      .handle("getMany", ({ payload }) =>
        asUser((user) => Effect.map(store.getMany(user, payload.namespace, payload.keys, payload.agent), (records) => ({ records }))))
      .handle("setMany", ({ payload }) =>
        asUser((user) =>
          Effect.map(store.setMany(user, payload.namespace, payload.items, payload.agent), (results) => ({
            count: results.filter((r) => r.ok).length,
            results
          }))))
      .handle("deleteMany", ({ payload }) =>
        asUser((user) => Effect.map(store.deleteMany(user, payload.namespace, payload.keys), (deletedCount) => ({ deletedCount }))))
      .handle("listKeys", ({ payload }) =>
        asUser((user) => Effect.map(store.listKeys(user, payload.namespace, payload.prefix), (keys) => ({ keys }))))
      .handle("getAll", ({ payload }) =>
        asUser((user) =>
          payload.limit === undefined
            ? everything(user, payload.namespace, payload.agent, `{"records":[`, `],"nextCursor":null}`)
            : Effect.map(
              store.page(user, payload.namespace, { limit: payload.limit, cursor: payload.cursor, agent: payload.agent }),
              (page) => unsafeJsonText(page)
            )))
      .handle("clear", ({ payload }) =>
        asUser((user) => Effect.map(store.clear(user, payload.namespace), (deletedCount) => ({ namespace: payload.namespace, deletedCount }))))
  })).pipe(groupInLeanContext(DataStore, DataStoreUser, Authentication))
