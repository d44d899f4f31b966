import { describe, expect, it } from "@effect/vitest"
import { Effect, Metric, MetricBoundaries } from "effect"
import { setZero } from "../../src/app/observability/MetricsZero.js"
import { prometheusText } from "../../src/app/observability/PrometheusText.js"

const line = (text: string, series: string) => text.split("\n").find((l) => l.startsWith(`${series} `))?.slice(series.length + 1)

describe("/metrics after the warm-up: counting from the zero point", () => {
  it.effect("counters and histograms show only what came after setZero, series untouched since are left out, gauges as they are", () =>
    Effect.gen(function*() {
      const moved = Metric.counter("zero_test_moved_total")
      const still = Metric.counter("zero_test_still_total")
      const later = Metric.counter("zero_test_later_total")
      const gauge = Metric.gauge("zero_test_gauge")
      const seconds = Metric.histogram("zero_test_seconds", MetricBoundaries.linear({ start: 1, width: 1, count: 3 }))
      yield* Metric.incrementBy(moved, 5)
      yield* Metric.increment(still)
      yield* Metric.set(gauge, 7)
      yield* Metric.update(seconds, 0.5)
      yield* Metric.update(seconds, 2.5)
      yield* setZero
      yield* Metric.incrementBy(moved, 2)
      yield* Metric.increment(later)
      yield* Metric.update(seconds, 1.5)
      const text = yield* prometheusText
      expect(line(text, "zero_test_moved_total")).toBe("2")
      expect(line(text, "zero_test_later_total")).toBe("1")
      expect(text).not.toContain("zero_test_still_total")
      expect(line(text, "zero_test_gauge")).toBe("7")
      expect(line(text, "zero_test_seconds_count")).toBe("1")
      expect(line(text, "zero_test_seconds_sum")).toBe("1.5")
      expect(line(text, `zero_test_seconds_bucket{le="1"}`)).toBe("0")
      expect(line(text, `zero_test_seconds_bucket{le="2"}`)).toBe("1")
      expect(line(text, `zero_test_seconds_bucket{le="+Inf"}`)).toBe("1")
    }))
})
