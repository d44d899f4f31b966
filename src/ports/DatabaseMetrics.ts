import { Cause, Clock, Context, Effect, Exit, type Fiber, FiberRef, Metric, MetricBoundaries, MetricLabel, Option, type Tracer } from "effect"

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
  // Nested maps rather than a key string, which would be a new string to hash on every call.
  const labelSets = new Map<string, Map<Outcome, ReadonlyArray<MetricLabel.MetricLabel>>>()
  const labelsFor = (operation: string, outcome: Outcome) => {
    let byOutcome = labelSets.get(operation)
    if (byOutcome === undefined) labelSets.set(operation, byOutcome = new Map())
    let labels = byOutcome.get(outcome)
    if (labels === undefined) {
      labels = [MetricLabel.make("provider", provider), MetricLabel.make("operation", operation), MetricLabel.make("outcome", outcome)]
      byOutcome.set(outcome, labels)
    }
    return labels
  }

  const names = new Map<string, string>()
  const nameOf = (operation: string) => {
    let name = names.get(operation)
    if (name === undefined) names.set(operation, name = `DatabaseService.${operation}`)
    return name
  }

  // The span is made here from the fiber's tracer rather than through Effect.withSpan: a port
  // call's span is a leaf (nothing beneath it opens a span), so it need not become the current
  // span, and making it the current one copies the fiber's whole context on every call. Under
  // Effect's own tracer, which keeps spans nowhere, no span is made: no one could ever see it,
  // and it cost a third of an instrumented call (OTLP export or any other tracer gets them all).
  return <A, E, R>(operation: string, span: Span, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.withFiberRuntime((fiber) => {
      const started = performance.now()
      const dbSpan = fiber.currentTracer !== NATIVE_TRACER && fiber.getFiberRef(FiberRef.currentTracerEnabled)
        ? startSpan(fiber, nameOf(operation), provider, operation, span)
        : undefined
      const record = (exit: Exit.Exit<A, E>) => {
        const outcome = outcomeOf(exit)
        if (outcome !== undefined) {
          const labels = labelsFor(operation, outcome)
          operationDuration.unsafeUpdate((performance.now() - started) / 1000, labels)
          operationCount.unsafeUpdate(1, labels)
        }
        if (dbSpan !== undefined) {
          dbSpan.attribute("db.outcome", outcome ?? "interrupted")
          dbSpan.end(spanTime(fiber), exit)
        }
        return exit
      }
      // A span must end even when the call is interrupted, hence onExit. Without one, an
      // interrupted call has nothing to record (outcomeOf), and one matchCauseEffect takes fewer
      // Effect steps than onExit or Effect.exit and a flatMap (the Exit that `record` returns is
      // the call's result, as an Effect).
      return dbSpan === undefined
        ? Effect.matchCauseEffect(effect, {
          onSuccess: (value) => record(Exit.succeed(value)),
          onFailure: (cause) => record(Exit.failCause(cause))
        })
        : Effect.onExit(effect, (exit) => Effect.sync(() => void record(exit)))
    })
}

/** Effect's default tracer, in place whenever no exporter or other tracer has been provided. */
export const NATIVE_TRACER = Effect.runSync(Effect.tracer)

const NO_LINKS: ReadonlyArray<Tracer.SpanLink> = []

/** A span's clock reading, or 0 when tracer timing is off (as Effect.withSpan does). */
const spanTime = (fiber: Fiber.RuntimeFiber<unknown, unknown>) =>
  fiber.getFiberRef(FiberRef.currentTracerTimingEnabled)
    ? Context.get(fiber.currentDefaultServices, Clock.Clock).unsafeCurrentTimeNanos()
    : BigInt(0)

const startSpan = (fiber: Fiber.RuntimeFiber<unknown, unknown>, name: string, provider: string, operation: string, span: Span) => {
  const parent = fiber.currentSpan
  const dbSpan = fiber.currentTracer.span(
    name,
    parent === undefined ? Option.none() : Option.some(parent),
    Context.empty(),
    NO_LINKS,
    spanTime(fiber),
    "client",
    { kind: "client" }
  )
  dbSpan.attribute("db.provider", provider)
  dbSpan.attribute("db.operation", operation)
  if (span.collection !== undefined) dbSpan.attribute("db.collection", span.collection)
  if (span.id !== undefined) dbSpan.attribute("db.document.id", span.id)
  if (span.count !== undefined) dbSpan.attribute("db.document.count", span.count)
  return dbSpan
}
