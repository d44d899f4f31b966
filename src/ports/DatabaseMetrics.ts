import { Cause, Effect, Exit, Metric, MetricBoundaries, MetricLabel, Option } from "effect"

export const OUTCOMES = ["ok", "not_found", "conflict", "invalid", "error", "unavailable"] as const
export type Outcome = (typeof OUTCOMES)[number]

/** Seconds per port call, from half a millisecond to about 8 seconds. */
export const operationDuration = Metric.histogram(
  "docport_db_operation_duration_seconds",
  MetricBoundaries.exponential({ start: 0.0005, factor: 2, count: 15 }),
  "Duration of DatabaseService calls, by provider, operation and outcome"
)

export const operationCount = Metric.counter("docport_db_operations_total", {
  description: "DatabaseService calls, by provider, operation and outcome",
  incremental: true
})

const outcomeOfError = (error: unknown): Outcome => {
  switch ((error as { readonly _tag?: unknown } | null)?._tag) {
    case "NotFound":
      return "not_found"
    case "Conflict":
      return "conflict"
    case "InvalidName":
    case "InvalidDocument":
      return "invalid"
    case "DatabaseError":
      return (error as { readonly unavailable: boolean }).unavailable ? "unavailable" : "error"
    default:
      return "error"
  }
}

/** How a call ended, or undefined when it was only interrupted (the caller gave up: nothing to count). */
export const outcomeOf = (exit: Exit.Exit<unknown, unknown>): Outcome | undefined => {
  if (Exit.isSuccess(exit)) return "ok"
  const failure = Cause.failureOption(exit.cause)
  if (Option.isSome(failure)) return outcomeOfError(failure.value)
  return Cause.isInterruptedOnly(exit.cause) ? undefined : "error"
}

export interface Span {
  readonly collection?: string | undefined
  readonly id?: string | undefined
  readonly count?: number | undefined
}

/**
 * Wraps port calls of one backend in a span `DatabaseService.<operation>` (provider, collection,
 * id, document count and outcome as attributes) and records their duration and outcome.
 * Label sets are made once per operation and outcome, not per call.
 */
export const makeInstrumentation = (provider: string) => {
  // The same label array each time: Effect caches a metric's series by the array's identity,
  // where a new array (or a tagged copy of the metric) would cost a registry lookup per call.
  const labelSets = new Map<string, ReadonlyArray<MetricLabel.MetricLabel>>()
  const labelsFor = (operation: string, outcome: Outcome) => {
    const key = `${operation}:${outcome}`
    let labels = labelSets.get(key)
    if (labels === undefined) {
      labels = [MetricLabel.make("provider", provider), MetricLabel.make("operation", operation), MetricLabel.make("outcome", outcome)]
      labelSets.set(key, labels)
    }
    return labels
  }

  return <A, E, R>(operation: string, span: Span, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => {
    // Built without spreads: this runs on every port call.
    const attributes: Record<string, unknown> = { "db.provider": provider, "db.operation": operation }
    if (span.collection !== undefined) attributes["db.collection"] = span.collection
    if (span.id !== undefined) attributes["db.document.id"] = span.id
    if (span.count !== undefined) attributes["db.document.count"] = span.count
    // useSpan hands over the span itself, so the outcome is set on it directly instead of through
    // a lookup of the current span; the effect runs with it as parent, as withSpan does.
    return Effect.useSpan(`DatabaseService.${operation}`, { kind: "client", captureStackTrace: false, attributes }, (dbSpan) => {
      const started = performance.now()
      return effect.pipe(
        Effect.withParentSpan(dbSpan),
        Effect.onExit((exit) => {
          const outcome = outcomeOf(exit)
          if (outcome === undefined) {
            dbSpan.attribute("db.outcome", "interrupted")
            return Effect.void
          }
          const labels = labelsFor(operation, outcome)
          operationDuration.unsafeUpdate((performance.now() - started) / 1000, labels)
          operationCount.unsafeUpdate(1, labels)
          dbSpan.attribute("db.outcome", outcome)
          return Effect.void
        })
      )
    })
  }
}
