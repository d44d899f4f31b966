import { FiberRef, type Tracer } from "effect"
import { NATIVE_TRACER } from "../../ports/DatabaseMetrics.js"

/**
 * The tracer the start-up warm-up's requests run under: one whose spans reach no exporter, yet are
 * made by the same code as a real request's, so that V8 compiles the path real requests take
 * (trained on another path, a warmed process once served less than an unwarmed one: Warmup.ts).
 * Effect's own tracer, which keeps spans nowhere, unless trace export is configured; then an
 * OpenTelemetry tracer whose provider has no span processor, set by TracingLive.
 */
export const warmupTracer: FiberRef.FiberRef<Tracer.Tracer> = FiberRef.unsafeMake<Tracer.Tracer>(NATIVE_TRACER)
