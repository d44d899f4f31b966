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

const series = (key: MetricKey.MetricKey.Untyped, state: unknown): { type: string; lines: Array<string> } | undefined => {
  const name = metricName(key.name)
  if (MetricState.isCounterState(state)) return { type: "counter", lines: [`${name}${labels(key.tags)} ${number(state.count)}`] }
  if (MetricState.isGaugeState(state)) return { type: "gauge", lines: [`${name}${labels(key.tags)} ${number(state.value)}`] }
  if (MetricState.isHistogramState(state)) {
    const buckets = state.buckets.map(([le, count]) => `${name}_bucket${labels(key.tags, [["le", number(le)]])} ${count}`)
    if (!state.buckets.some(([le]) => le === Infinity)) buckets.push(`${name}_bucket${labels(key.tags, [["le", "+Inf"]])} ${state.count}`)
    return {
      type: "histogram",
      lines: [...buckets, `${name}_sum${labels(key.tags)} ${number(state.sum)}`, `${name}_count${labels(key.tags)} ${state.count}`]
    }
  }
  return undefined
}

/** Every counter, gauge and histogram of the process's metric registry, one family per name. */
export const render = (pairs: ReadonlyArray<MetricPair.MetricPair.Untyped>): string => {
  const families = new Map<string, { help: string; type: string; lines: Array<string> }>()
  for (const { metricKey, metricState } of pairs) {
    const rendered = series(metricKey, metricState)
    if (rendered === undefined) continue
    const name = metricName(metricKey.name)
    const family = families.get(name) ?? { help: Option.getOrElse(metricKey.description, () => name), type: rendered.type, lines: [] }
    family.lines.push(...rendered.lines)
    families.set(name, family)
  }
  return [...families.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, family]) => [`# HELP ${name} ${escapeHelp(family.help)}`, `# TYPE ${name} ${family.type}`, ...family.lines].join("\n"))
    .join("\n") + "\n"
}

export const prometheusText: Effect.Effect<string> = Effect.map(Metric.snapshot, (pairs) => render(sinceZero(pairs)))
