import { Config, Effect, Option } from "effect"
import * as FirestoreDatabase from "../adapters/firestore/FirestoreDatabase.js"
import type { Provider } from "../adapters/Providers.js"
import { isLoopbackHostname } from "../app/LoopbackName.js"
import { Refused } from "./Refused.js"


/**
 * Where a URL points, written one way: without the credentials it may carry (the adapters take
 * them from their own variables), an empty query or fragment, or a trailing slash, and with any
 * loopback name as one (`localhost:5984` is `127.0.0.1:5984`).
 */
const normalUrl = (text: string) => {
  if (!URL.canParse(text)) return text.trim()
  const url = new URL(text.trim())
  const host = isLoopbackHostname(url.hostname) ? `loopback:${url.port}` : url.host
  return `${url.protocol}//${host}${url.pathname.replace(/\/+$/, "")}${url.search.length > 1 ? url.search : ""}`
}
const normalHost = (host: string) => (host === "" ? "" : normalUrl(`http://${host}`))

/**
 * The settings that say where a backend's documents are (not how to sign in): two sides alike in
 * all of them are the same documents. With the adapters' defaults, so that an unset prefix and an
 * empty one are alike. Memory has none: each opening is a backend of its own.
 */
const PLACES: Record<Provider, ReadonlyArray<readonly [variable: string, config: Config.Config<string>]>> = {
  memory: [],
  couchdb: [
    ["COUCHDB_URL", Config.map(Config.string("COUCHDB_URL"), normalUrl)],
    ["COUCHDB_DATABASE_PREFIX", Config.withDefault(Config.string("COUCHDB_DATABASE_PREFIX"), "")]
  ],
  dynamodb: [
    ["DYNAMODB_REGION", Config.withDefault(Config.string("DYNAMODB_REGION"), "us-east-1")],
    ["DYNAMODB_ENDPOINT_URL", Config.map(Config.withDefault(Config.string("DYNAMODB_ENDPOINT_URL"), ""), normalUrl)],
    ["DYNAMODB_TABLE_PREFIX", Config.withDefault(Config.string("DYNAMODB_TABLE_PREFIX"), "")]
  ],
  // As the adapter reads them: an empty FIRESTORE_PROJECT_ID gives way to GOOGLE_CLOUD_PROJECT.
  firestore: [
    ["FIRESTORE_PROJECT_ID", Config.map(FirestoreDatabase.optionsConfig, (options) => options.projectId)],
    ["FIRESTORE_EMULATOR_HOST", Config.map(FirestoreDatabase.optionsConfig, (options) => normalHost(options.emulatorHost ?? ""))]
  ]
}

// A side whose settings cannot be read is left for its opening to report, naming what is missing.
const placeOf = (provider: Provider, prefix: string) =>
  Effect.option(Config.all(PLACES[provider].map(([, config]) => Config.nested(config, prefix))))

/**
 * Refuses a source and a target that are the same documents: a copy would skip every one and a
 * verify call them identical, both saying nothing useful while seeming to succeed.
 */
export const refuseSameBackend = (from: Provider, to: Provider): Effect.Effect<void, Refused> =>
  Effect.gen(function*() {
    if (from !== to || PLACES[from].length === 0) return
    const [source, target] = yield* Effect.all([placeOf(from, "SOURCE"), placeOf(to, "TARGET")])
    if (Option.isNone(source) || Option.isNone(target) || source.value.some((value, i) => value !== target.value[i])) return
    const variables = PLACES[from].map(([variable]) => variable).join(", ")
    return yield* Effect.fail(
      new Refused({ message: `the source and the target are the same ${from} documents (the same ${variables} behind SOURCE_ and TARGET_): change one side` })
    )
  })
