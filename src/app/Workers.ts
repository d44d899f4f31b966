import { Config, ConfigError, Data, Effect, Either, Option } from "effect"
import { availableParallelism } from "node:os"
import { providerConfig } from "../adapters/DatabaseLayer.js"

const MAX_WORKERS = 64

/**
 * WORKERS: how many server processes share the port (default 1: this process serves, no cluster).
 * `auto` (or 0) means one per core the machine offers (os.availableParallelism()).
 */
export const WorkersConfig: Config.Config<number> = Config.string("WORKERS").pipe(
  Config.mapOrFail((text) => {
    const trimmed = text.trim().toLowerCase()
    if (trimmed === "auto" || trimmed === "0") return Either.right(availableParallelism())
    const n = /^\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN
    return Number.isInteger(n) && n >= 1 && n <= MAX_WORKERS
      ? Either.right(n)
      : Either.left(ConfigError.InvalidData([], `expected auto, 0 (one per core) or a whole number from 1 to ${MAX_WORKERS}, but received "${text}"`))
  }),
  Config.withDefault(1)
)

/**
 * Set by the primary in each worker's environment: the worker's slot, 1 to WORKERS, kept by the
 * worker that replaces it. Not meant to be set by hand.
 */
export const WORKER_SLOT = "DOCPORT_WORKER"

/** What a worker sends the primary over the cluster's IPC channel once its application serves. */
export const WORKER_READY = "docport-worker-ready"

/** What this process is: the one server, a worker of a cluster, or the primary that forks the workers. */
export type Role =
  | { readonly _tag: "single" }
  | { readonly _tag: "worker"; readonly slot: number }
  | { readonly _tag: "primary"; readonly workers: number }

export class MemoryNeedsOneProcess extends Data.TaggedError("MemoryNeedsOneProcess")<{ readonly workers: number }> {
  override get message() {
    return `WORKERS=${this.workers} cannot be used with DATABASE_PROVIDER=memory: its documents live in one process, so ` +
      `each worker would see a database of its own. Use WORKERS=1, or couchdb, firestore or dynamodb.`
  }
}

export const role: Effect.Effect<Role, ConfigError.ConfigError | MemoryNeedsOneProcess> = Effect.gen(function*() {
  const slot = yield* Config.option(Config.integer(WORKER_SLOT))
  if (Option.isSome(slot)) return { _tag: "worker", slot: slot.value } as const
  const workers = yield* WorkersConfig
  if (workers === 1) return { _tag: "single" } as const
  if ((yield* providerConfig) === "memory") return yield* Effect.fail(new MemoryNeedsOneProcess({ workers }))
  return { _tag: "primary", workers } as const
})
