import { Config, Effect, Option } from "effect"
import type { Provider } from "../adapters/Providers.js"
import { Refused } from "./Refused.js"

const normalUrl = (text: string) => (URL.canParse(text) ? new URL(text).href : text).replace(/\/+$/, "")

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
  firestore: [
    ["FIRESTORE_PROJECT_ID", Config.orElse(Config.string("FIRESTORE_PROJECT_ID"), () => Config.string("GOOGLE_CLOUD_PROJECT"))],
    ["FIRESTORE_EMULATOR_HOST", Config.withDefault(Config.string("FIRESTORE_EMULATOR_HOST"), "")]
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
