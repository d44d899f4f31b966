import { constants, PerformanceObserver } from "node:perf_hooks"
import { Effect, Layer, Metric, MetricBoundaries, MetricLabel } from "effect"

/**
 * Seconds per pause of V8's garbage collector, by kind. A full collection ("major") of a heap
 * that holds every stored document (the memory backend) stops the one thread that serves for
 * tens of milliseconds and more: what an operator needs to tell a slow second caused by the
 * collector from one caused by the database. The pause is the collector's atomic part; the
 * incremental marking before it, which slows requests without stopping them, is not in it.
 */
export const gcPauses = Metric.histogram(
  "docport_gc_pause_seconds",
  MetricBoundaries.exponential({ start: 0.0005, factor: 2, count: 12 }),
  "Pauses of the JavaScript garbage collector, by kind (minor: young objects; major: the whole heap)"
)

const KINDS = new Map<number, ReadonlyArray<MetricLabel.MetricLabel>>([
  [constants.NODE_PERFORMANCE_GC_MINOR, [MetricLabel.make("kind", "minor")]],
  [constants.NODE_PERFORMANCE_GC_MAJOR, [MetricLabel.make("kind", "major")]],
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL, [MetricLabel.make("kind", "incremental")]],
  [constants.NODE_PERFORMANCE_GC_WEAKCB, [MetricLabel.make("kind", "weakcb")]]
])

const record = (list: { getEntries(): ReadonlyArray<{ readonly duration: number; readonly detail?: unknown }> }) => {
  for (const entry of list.getEntries()) {
    const kind = KINDS.get((entry.detail as { readonly kind?: number } | undefined)?.kind ?? -1)
    if (kind !== undefined) gcPauses.unsafeUpdate(entry.duration / 1000, kind)
  }
}

// The collector is the process's, and so is Effect's metric registry: one observer however many
// servers a process builds (tests build several), or every pause would count once per server.
let observer: PerformanceObserver | undefined
let users = 0

/** The collector's pauses recorded in docport_gc_pause_seconds while the layer lives. */
export const GcMetricsLive: Layer.Layer<never> = Layer.scopedDiscard(
  Effect.acquireRelease(
    Effect.sync(() => {
      users += 1
      if (observer === undefined) {
        observer = new PerformanceObserver(record)
        observer.observe({ entryTypes: ["gc"] })
      }
    }),
    () =>
      Effect.sync(() => {
        users -= 1
        if (users === 0) {
          observer?.disconnect()
          observer = undefined
        }
      })
  )
)
