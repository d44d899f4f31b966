import type { Worker } from "node:cluster"
import { isMetricsMessage, type MetricsMessage } from "./MetricsMessages.js"
import type { Family } from "./PrometheusText.js"

// A worker busy with a long request answers late; the scrape is not held up for it.
const PART_TIMEOUT_MS = 1_000

// The channel may close under us (a worker exiting): the exit, handled elsewhere, is what counts.
const send = (worker: Worker, message: MetricsMessage) => {
  try {
    if (worker.isConnected()) worker.send(message, undefined, () => {})
  } catch {
    // closed between the check and the send
  }
}

interface Gathering {
  readonly parts: Array<ReadonlyArray<Family>>
  readonly left: Set<Worker>
  readonly finish: () => void
}

/**
 * The primary's half of a cluster's /metrics (WorkerMetrics.ts is the workers'): when a scraped
 * worker asks, every serving worker is asked for its families, and what came within a second
 * goes back to the one that asked. A worker that is gone or late is left out of that scrape.
 */
export const makeMetricsGathering = () => {
  const serving = new Set<Worker>()
  const gatherings = new Map<number, Gathering>()
  let next = 0

  const gather = (requester: Worker, requestId: number) => {
    const id = next++
    const parts: Array<ReadonlyArray<Family>> = []
    const left = new Set(serving)
    const finish = () => {
      if (!gatherings.delete(id)) return
      clearTimeout(timer)
      send(requester, { docport: "metrics-all", id: requestId, parts })
    }
    const timer = setTimeout(finish, PART_TIMEOUT_MS)
    gatherings.set(id, { parts, left, finish })
    if (left.size === 0) return finish()
    for (const worker of left) send(worker, { docport: "metrics-collect", id })
  }

  return {
    /** The worker serves: from now on its metrics are gathered. */
    serving: (worker: Worker) => void serving.add(worker),
    /** The worker exited: no scrape waits for it any longer. */
    gone: (worker: Worker) => {
      serving.delete(worker)
      for (const gathering of gatherings.values()) {
        if (gathering.left.delete(worker) && gathering.left.size === 0) gathering.finish()
      }
    },
    onMessage: (worker: Worker, message: unknown) => {
      if (!isMetricsMessage(message)) return
      if (message.docport === "metrics-request") gather(worker, message.id)
      if (message.docport === "metrics-part") {
        const gathering = gatherings.get(message.id)
        if (gathering === undefined || !gathering.left.delete(worker)) return
        gathering.parts.push(message.families)
        if (gathering.left.size === 0) gathering.finish()
      }
    }
  }
}

export type MetricsGathering = ReturnType<typeof makeMetricsGathering>
