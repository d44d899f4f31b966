import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base"
import { redactSecrets } from "../http/describeCause.js"

type Attributes = Record<string, unknown>

const redactStrings = (attributes: Attributes | undefined): void => {
  if (attributes === undefined) return
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value === "string") attributes[name] = redactSecrets(value)
  }
}

/**
 * An exporter that cuts credentials and network addresses out of what a span says about a
 * failure (its events, exceptions and the log lines Effect adds to it, and its status message)
 * before the spans leave the process: a failed call's cause is an SDK's error, whose text and
 * stack name the backend ("connect ECONNREFUSED 10.0.0.7:5984", "remote_addr=…"), which docport's
 * log lines never show. The span's own attributes are docport's (route, ids, status) and stay.
 */
export const redactingExporter = (inner: SpanExporter): SpanExporter => ({
  export: (spans, done) => {
    for (const span of spans as ReadonlyArray<ReadableSpan>) {
      for (const event of span.events) {
        const mutable = event as { name: string; attributes?: Attributes }
        mutable.name = redactSecrets(mutable.name)
        redactStrings(mutable.attributes)
      }
      const status = span.status as { message?: string }
      if (status.message !== undefined) status.message = redactSecrets(status.message)
    }
    inner.export(spans, done)
  },
  shutdown: () => inner.shutdown(),
  forceFlush: () => inner.forceFlush?.() ?? Promise.resolve()
})
