import { Clock, Effect, Option, Ref } from "effect"
import type { WarmupSettings } from "./WarmupConfig.js"

/**
 * Rounds, `settings.concurrency` at a time, each loop starting a next round while the deadline
 * (epoch ms) has not passed and fewer than `settings.maxRequests` requests were sent. A round is
 * never cut short (the deadline may be passed by one round's time), so no request is abandoned
 * mid-way. Each round gets its own tag, so that rounds in parallel never meet; it returns how many
 * requests it sent, and so does this, in all.
 */
export const driveRounds = <E>(round: (tag: string) => Effect.Effect<number, E>, deadline: number, settings: WarmupSettings) =>
  Effect.gen(function*() {
    const sent = yield* Ref.make(0)
    const started = yield* Ref.make(0)
    const more = Effect.zipWith(Clock.currentTimeMillis, Ref.get(sent), (now, n) => now < deadline && n < settings.maxRequests)
    const next = Effect.flatMap(Ref.getAndUpdate(started, (n) => n + 1), (n) => round(String(n))).pipe(
      Effect.flatMap((n) => Ref.update(sent, (total) => total + n))
    )
    const rounds = next.pipe(Effect.whenEffect(more), Effect.repeat({ while: Option.isSome }))
    yield* Effect.replicateEffect(rounds, settings.concurrency, { concurrency: "unbounded", discard: true })
    return yield* Ref.get(sent)
  })
