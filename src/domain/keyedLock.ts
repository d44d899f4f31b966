import { Effect, RcMap, type Scope } from "effect"
import type { InTurn } from "./retryConflicts.js"

/**
 * One holder at a time per key, within this process: a lock made when a key is first asked for
 * and dropped once no one holds or waits for it, so idle keys cost nothing. Writers of one
 * document that would otherwise each read, lose the race to one of them and read again take
 * turns instead; writers in other processes still meet as conflicts.
 */
export const makeKeyedLock: Effect.Effect<(key: string) => InTurn, never, Scope.Scope> = Effect.map(
  RcMap.make({ lookup: (_key: string) => Effect.makeSemaphore(1) }),
  (locks) => (key) => (effect) => Effect.scoped(Effect.flatMap(RcMap.get(locks, key), (lock) => lock.withPermits(1)(effect)))
)
