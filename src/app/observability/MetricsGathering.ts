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
  readonly id: number
  readonly parts: Array<ReadonlyArray<Family>>
  readonly left: Set<Worker>
  /** The scraped workers waiting for it, each with the id of its own request. */
  readonly requesters: Array<readonly [Worker, number]>
  readonly timer: ReturnType<typeof setTimeout>
}

/**
 * The primary's half of a cluster's /metrics (WorkerMetrics.ts is the workers'): when a scraped
 * worker asks, every serving worker is asked for its families, and what came within a second
 * goes back to the one that asked. A worker that is gone or late is left out of that scrape.
 * Scrapes that arrive while a gathering is under way share it, so a flood of scrapes costs the
 * workers one collection at a time, not one per scrape each.
 */
export const makeMetricsGathering = () => {
  const serving = new Set<Worker>()
  let current: Gathering | undefined
  let next = 0

  const finish = (gathering: Gathering) => {
    if (current !== gathering) return
    current = undefined
    clearTimeout(gathering.timer)
    for (const [worker, id] of gathering.requesters) send(worker, { docport: "metrics-all", id, parts: gathering.parts })
  }

  const gather = (requester: Worker, requestId: number) => {
    if (current !== undefined) return void current.requesters.push([requester, requestId])
    const gathering: Gathering = {
      id: next++,
      parts: [],
      left: new Set(serving),
      requesters: [[requester, requestId]],
      timer: setTimeout(() => finish(gathering), PART_TIMEOUT_MS)
    }
    current = gathering
    if (gathering.left.size === 0) return finish(gathering)
    for (const worker of gathering.left) send(worker, { docport: "metrics-collect", id: gathering.id })
  }

  return {
    /** The worker serves: from now on its metrics are gathered. */
    serving: (worker: Worker) => void serving.add(worker),
    /** The worker exited: no scrape waits for it any longer. */
    gone: (worker: Worker) => {
      serving.delete(worker)
      if (current !== undefined && current.left.delete(worker) && current.left.size === 0) finish(current)
    },
    onMessage: (worker: Worker, message: unknown) => {
      if (!isMetricsMessage(message)) return
      if (message.docport === "metrics-request") gather(worker, message.id)
      if (message.docport === "metrics-part" && current?.id === message.id && current.left.delete(worker)) {
        current.parts.push(message.families)
        if (current.left.size === 0) finish(current)
      }
    }
  }
}

export type MetricsGathering = ReturnType<typeof makeMetricsGathering>
