import type { Abortable } from "../../ports/DatabaseTimeout.js"

/**
 * The abort signal the AWS SDK also accepts: `aborted` and one `onabort` handler (@smithy/types'
 * AbortSignal). The SDK listens on a platform AbortSignal through EventTarget, twice per call
 * (its retry loop and its HTTP handler, each adding and removing a listener); with this one it
 * sets `onabort` instead. An AbortController with one listener added and removed costs 10 - 20 µs
 * of CPU; with this signal the port bench's DynamoDB calls took 0.92 - 0.99 × their earlier time
 * (DynamoDB alone, 21:47) and 0.94 - 1.01 × in the full run of 23:20 (bench/results).
 * One listener at a time is all a call has: the retry loop's wait or the attempt in flight, each
 * setting `onabort` as it starts, so the handler in place is the one to fire.
 */
export class SdkSignal implements Abortable<SdkSignal> {
  aborted = false
  onabort: (() => void) | null = null

  get signal(): SdkSignal {
    return this
  }

  abort(): void {
    if (this.aborted) return
    this.aborted = true
    this.onabort?.()
  }
}

export const sdkSignal = (): Abortable<SdkSignal> => new SdkSignal()
