import type { Family } from "./PrometheusText.js"

/**
 * What the workers of a cluster and their primary say to each other over node:cluster's IPC
 * channel (JSON) so that a scrape of /metrics, which reaches one worker, answers for all of them.
 */
export type MetricsMessage =
  /** A worker was scraped: it asks the primary for every worker's families. */
  | { readonly docport: "metrics-request"; readonly id: number }
  /** The primary asks each serving worker for its own. */
  | { readonly docport: "metrics-collect"; readonly id: number }
  | { readonly docport: "metrics-part"; readonly id: number; readonly families: ReadonlyArray<Family> }
  /** The primary's answer to a request: the parts of the workers that answered in time. */
  | { readonly docport: "metrics-all"; readonly id: number; readonly parts: ReadonlyArray<ReadonlyArray<Family>> }

const KINDS: ReadonlyArray<unknown> = ["metrics-request", "metrics-collect", "metrics-part", "metrics-all"]

export const isMetricsMessage = (message: unknown): message is MetricsMessage =>
  typeof message === "object" && message !== null && KINDS.includes((message as { readonly docport?: unknown }).docport) &&
  typeof (message as { readonly id?: unknown }).id === "number"
