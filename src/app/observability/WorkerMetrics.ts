import { Context, Effect, Layer } from "effect"
import { isMetricsMessage, type MetricsMessage } from "./MetricsMessages.js"
import { type Family, localFamilies, prometheusText, renderFamilies } from "./PrometheusText.js"

/** What GET /metrics answers: this process's metrics, or, in a cluster's worker, every worker's. */
export class MetricsText extends Context.Reference<MetricsText>()("docport/MetricsText", {
  defaultValue: (): Effect.Effect<string> => prometheusText
}) {}

// Longer than the primary's own wait for the workers (MetricsGathering.ts), which answers first.
const ANSWER_TIMEOUT_MS = 3_000

const send = (message: MetricsMessage) => process.send?.(message, undefined, undefined, () => {})

/**
 * In a worker: /metrics asks the primary for every serving worker's series, each labelled
 * `worker="<slot>"`, so that whichever worker a scrape reaches, it sees the whole cluster and a
 * counter never jumps between two workers' values. The worker also answers the primary's
 * collection with its own. Without the primary's answer it serves its own series, with a warning.
 */
export const workerMetricsLayer = (slot: number): Layer.Layer<MetricsText> =>
  Layer.scoped(
    MetricsText,
    Effect.gen(function*() {
      const own = localFamilies([["worker", String(slot)]])
      const waiting = new Map<number, (parts: ReadonlyArray<ReadonlyArray<Family>>) => void>()
      let next = 0
      const onMessage = (message: unknown) => {
        if (!isMetricsMessage(message)) return
        if (message.docport === "metrics-collect") send({ docport: "metrics-part", id: message.id, families: Effect.runSync(own) })
        if (message.docport === "metrics-all") waiting.get(message.id)?.(message.parts)
      }
      yield* Effect.acquireRelease(
        Effect.sync(() => process.on("message", onMessage)),
        () => Effect.sync(() => process.off("message", onMessage))
      )
      const alone = Effect.zipRight(
        Effect.logWarning("the primary did not answer for the other workers' metrics: this worker's alone"),
        Effect.map(own, (families) => [families])
      )
      const gathered = Effect.async<ReadonlyArray<ReadonlyArray<Family>>>((resume) => {
        const id = next++
        const timer = setTimeout(() => {
          waiting.delete(id)
          resume(alone)
        }, ANSWER_TIMEOUT_MS)
        waiting.set(id, (parts) => {
          waiting.delete(id)
          clearTimeout(timer)
          resume(Effect.succeed(parts))
        })
        send({ docport: "metrics-request", id })
        return Effect.sync(() => {
          waiting.delete(id)
          clearTimeout(timer)
        })
      })
      return Effect.map(gathered, renderFamilies)
    })
  )
