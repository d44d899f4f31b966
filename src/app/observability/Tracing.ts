import { Config, Effect, Layer, Option } from "effect"
import { redactingExporter } from "./RedactingExporter.js"
import { warmupTracer } from "./WarmupTracer.js"

/** The OTLP/HTTP traces URL under an OTEL_EXPORTER_OTLP_ENDPOINT base, as the OpenTelemetry specification defines it. */
export const tracesUrl = (endpoint: string): string => `${endpoint.replace(/\/+$/, "")}/v1/traces`

/** The collector's base URL; anything but an http(s) URL would fail each export instead of the start. */
export const OtlpEndpoint = Config.option(
  Config.nonEmptyString("OTEL_EXPORTER_OTLP_ENDPOINT").pipe(Config.validate({
    message: "Expected an http or https URL such as http://127.0.0.1:4318",
    validation: (url) => URL.canParse(url) && /^https?:$/.test(new URL(url).protocol)
  }))
)

/**
 * With OTEL_EXPORTER_OTLP_ENDPOINT set, every span (HTTP requests and the DatabaseService calls
 * beneath them) is exported over OTLP/HTTP in batches, as service OTEL_SERVICE_NAME (default
 * docport). Without it nothing is loaded: the OpenTelemetry SDK is imported only when used.
 */
export const TracingLive = Layer.unwrapEffect(
  Effect.gen(function*() {
    const endpoint = yield* OtlpEndpoint
    if (Option.isNone(endpoint)) return Layer.empty
    const serviceName = yield* Config.nonEmptyString("OTEL_SERVICE_NAME").pipe(Config.withDefault("docport"))
    const [NodeSdk, OtelTracer, { BasicTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }] = yield* Effect.promise(() =>
      Promise.all([
        import("@effect/opentelemetry/NodeSdk"),
        import("@effect/opentelemetry/Tracer"),
        import("@opentelemetry/sdk-trace-base"),
        import("@opentelemetry/exporter-trace-otlp-http")
      ])
    )
    // The warm-up's spans: OpenTelemetry spans, as real requests make, from a provider with no processor.
    const unexported = yield* OtelTracer.make.pipe(
      Effect.provideService(OtelTracer.OtelTracer, new BasicTracerProvider().getTracer("docport warm-up"))
    )
    return Layer.merge(
      NodeSdk.layer(() => ({
        resource: { serviceName },
        spanProcessor: new BatchSpanProcessor(redactingExporter(new OTLPTraceExporter({ url: tracesUrl(endpoint.value) })))
      })),
      Layer.locallyScoped(warmupTracer, unexported)
    )
  })
)
