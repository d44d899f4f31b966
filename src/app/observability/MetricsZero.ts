import { Effect, HashMap, Metric, type MetricKey, MetricPair, MetricState, Option } from "effect"

// Effect's metric registry is one per process, and a series cannot be removed or reset (each
// metric caches its series). What the process did before it served (the warm-up) is therefore
// remembered here as a zero point, once, and subtracted from every later scrape: process-wide,
// like the registry itself.
let zero: HashMap.HashMap<MetricKey.MetricKey.Untyped, MetricState.MetricState.Untyped> = HashMap.empty()

/** From now on, /metrics counts from the current values: counters and histograms start again at 0. */
export const setZero: Effect.Effect<void> = Effect.map(Metric.snapshot, (pairs) => {
  zero = HashMap.fromIterable(pairs.map((pair) => [pair.metricKey, pair.metricState] as const))
})

const minus = (now: unknown, before: unknown): MetricState.MetricState.Untyped | undefined => {
  if (MetricState.isCounterState(now) && MetricState.isCounterState(before)) {
    const count = typeof now.count === "bigint"
      ? now.count - (before.count as bigint)
      : now.count - (before.count as number)
    return count === 0 || count === BigInt(0) ? undefined : MetricState.counter(count as number)
  }
  if (MetricState.isHistogramState(now) && MetricState.isHistogramState(before)) {
    if (now.count === before.count) return undefined
    return MetricState.histogram({
      buckets: now.buckets.map(([le, count], i) => [le, count - (before.buckets[i]?.[1] ?? 0)] as const),
      count: now.count - before.count,
      // Not kept per interval by Effect, and not part of the text format: left as they are.
      min: now.min,
      max: now.max,
      sum: now.sum - before.sum
    })
  }
  // Gauges say what is, not what happened: nothing to subtract.
  return now as MetricState.MetricState.Untyped
}

/**
 * The pairs as if the registry had been empty at the zero point: counters and histograms minus
 * their values then, and those that have not moved since left out, as if never touched.
 */
export const sinceZero = (pairs: ReadonlyArray<MetricPair.MetricPair.Untyped>): ReadonlyArray<MetricPair.MetricPair.Untyped> => {
  if (HashMap.isEmpty(zero)) return pairs
  const out: Array<MetricPair.MetricPair.Untyped> = []
  for (const pair of pairs) {
    const before = HashMap.get(zero, pair.metricKey)
    if (Option.isNone(before)) {
      out.push(pair)
      continue
    }
    const state = minus(pair.metricState, before.value)
    if (state !== undefined) out.push(MetricPair.unsafeMake(pair.metricKey, state))
  }
  return out
}
