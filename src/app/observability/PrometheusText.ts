import { Effect, Metric, type MetricKey, type MetricLabel, type MetricPair, MetricState, Option } from "effect"
import { sinceZero } from "./MetricsZero.js"

// Effect 3 has no Prometheus encoder of its own; the format is small enough to write here.
// https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format

const escapeLabel = (value: string) => value.replaceAll("\\", "\\\\").replaceAll("\"", "\\\"").replaceAll("\n", "\\n")
const escapeHelp = (value: string) => value.replaceAll("\\", "\\\\").replaceAll("\n", "\\n")
const metricName = (name: string) => name.replace(/[^a-zA-Z0-9_:]/g, "_").replace(/^([0-9])/, "_$1")

const labels = (tags: ReadonlyArray<MetricLabel.MetricLabel>, extra: ReadonlyArray<readonly [string, string]> = []) => {
  const all = [...tags.map((tag) => [tag.key, tag.value] as const), ...extra]
  return all.length === 0 ? "" : `{${all.map(([key, value]) => `${metricName(key)}="${escapeLabel(value)}"`).join(",")}}`
}

const number = (value: number | bigint) =>
  typeof value === "bigint" ? value.toString() : Number.isNaN(value) ? "NaN" : value === Infinity ? "+Inf" : value === -Infinity ? "-Inf" : String(value)

const series = (
  key: MetricKey.MetricKey.Untyped,
  state: unknown,
  extra: ReadonlyArray<readonly [string, string]>
): { type: string; lines: Array<string> } | undefined => {
  const name = metricName(key.name)
  if (MetricState.isCounterState(state)) return { type: "counter", lines: [`${name}${labels(key.tags, extra)} ${number(state.count)}`] }
  if (MetricState.isGaugeState(state)) return { type: "gauge", lines: [`${name}${labels(key.tags, extra)} ${number(state.value)}`] }
  if (MetricState.isHistogramState(state)) {
    const buckets = state.buckets.map(([le, count]) => `${name}_bucket${labels(key.tags, [...extra, ["le", number(le)]])} ${count}`)
    if (!state.buckets.some(([le]) => le === Infinity)) buckets.push(`${name}_bucket${labels(key.tags, [...extra, ["le", "+Inf"]])} ${state.count}`)
    return {
      type: "histogram",
      lines: [...buckets, `${name}_sum${labels(key.tags, extra)} ${number(state.sum)}`, `${name}_count${labels(key.tags, extra)} ${state.count}`]
    }
  }
  return undefined
}

/** One metric family: its lines already rendered, so that a worker can send it to another as it is. */
export interface Family {
  readonly name: string
  readonly help: string
  readonly type: string
  readonly lines: ReadonlyArray<string>
}

/**
 * Every counter, gauge and histogram of the process's metric registry, one family per name;
 * `extra` labels (a cluster worker's slot) go on every series, before a histogram's `le`.
 */
export const familiesOf = (
  pairs: ReadonlyArray<MetricPair.MetricPair.Untyped>,
  extra: ReadonlyArray<readonly [string, string]> = []
): Array<Family> => {
  const families = new Map<string, { name: string; help: string; type: string; lines: Array<string> }>()
  for (const { metricKey, metricState } of pairs) {
    const rendered = series(metricKey, metricState, extra)
    if (rendered === undefined) continue
    const name = metricName(metricKey.name)
    const family = families.get(name) ?? { name, help: Option.getOrElse(metricKey.description, () => name), type: rendered.type, lines: [] }
    family.lines.push(...rendered.lines)
    families.set(name, family)
  }
  return [...families.values()]
}

/** The text format of families from one or more processes: a family's lines together under one HELP and TYPE. */
export const renderFamilies = (parts: ReadonlyArray<ReadonlyArray<Family>>): string => {
  const merged = new Map<string, { help: string; type: string; lines: Array<string> }>()
  for (const part of parts) {
    for (const family of part) {
      const into = merged.get(family.name)
      if (into === undefined) merged.set(family.name, { help: family.help, type: family.type, lines: [...family.lines] })
      else into.lines.push(...family.lines)
    }
  }
  return [...merged.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, family]) => [`# HELP ${name} ${escapeHelp(family.help)}`, `# TYPE ${name} ${family.type}`, ...family.lines].join("\n"))
    .join("\n") + "\n"
}

/** This process's families since the zero point (MetricsZero.ts). */
export const localFamilies = (extra: ReadonlyArray<readonly [string, string]> = []): Effect.Effect<Array<Family>> =>
  Effect.map(Metric.snapshot, (pairs) => familiesOf(sinceZero(pairs), extra))

export const prometheusText: Effect.Effect<string> = Effect.map(localFamilies(), (families) => renderFamilies([families]))
