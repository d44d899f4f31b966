import { Layer } from "effect"
import { LoggingLive } from "./Logging.js"
import { TracingLive } from "./Tracing.js"

/** Logs and traces as configured; provided once around the whole program. */
export const ObservabilityLive = Layer.mergeAll(LoggingLive, TracingLive)
