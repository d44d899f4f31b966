import { Context, Effect } from "effect"
import { printable } from "./Printable.js"

/** Where a run reports how far it got: once per page, never per document. */
export interface ProgressShape {
  readonly start: (collection: string, total: number | undefined) => Effect.Effect<void>
  readonly advance: (documents: number) => Effect.Effect<void>
  readonly finish: Effect.Effect<void>
}

export class Progress extends Context.Tag("docport/cli/Progress")<Progress, ProgressShape>() {}

export interface ProgressOptions {
  readonly write: (text: string) => void
  /** A terminal gets one redrawn bar; anything else a plain line every `intervalMs`. */
  readonly tty: boolean
  readonly intervalMs?: number | undefined
  readonly now?: () => number
}

const number = (n: number) => Math.round(n).toLocaleString("en-US")

const duration = (seconds: number): string => {
  if (!Number.isFinite(seconds)) return "?"
  const s = Math.max(0, Math.round(seconds))
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  return m < 60 ? `${m}m${String(s % 60).padStart(2, "0")}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`
}

const BAR = 24

/** The text of one progress report: done/total, rate and time left when the total is known. */
export const describe = (name: string, done: number, total: number | undefined, elapsedMs: number, tty: boolean) => {
  const collection = printable(name)
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0
  // Totals can be estimates (DynamoDB's ItemCount): never show more than all of it done.
  const known = total !== undefined && total >= done ? total : undefined
  const left = known !== undefined && rate > 0 ? duration((known - done) / rate) : "?"
  const counts = known === undefined ? `${number(done)} documents` : `${number(done)}/${number(known)}`
  if (!tty) return `${collection}: ${counts}, ${number(rate)} docs/s${known === undefined ? "" : `, ${left} left`}`
  const filled = known === undefined || known === 0 ? 0 : Math.round((done / known) * BAR)
  const bar = known === undefined ? "" : `[${"#".repeat(filled)}${"-".repeat(BAR - filled)}] `
  return `${collection} ${bar}${counts}  ${number(rate)} docs/s  ETA ${left}`
}

export const make = (options: ProgressOptions): ProgressShape => {
  const now = options.now ?? Date.now
  const interval = options.intervalMs ?? (options.tty ? 100 : 10_000)
  let collection = ""
  let total: number | undefined
  let done = 0
  let started = 0
  let shown = 0

  const show = (final: boolean) => {
    const text = describe(collection, done, total, now() - started, options.tty)
    options.write(options.tty ? `\r\x1b[K${text}${final ? "\n" : ""}` : `${text}\n`)
    shown = now()
  }

  return {
    start: (name, expected) =>
      Effect.sync(() => {
        collection = name
        total = expected
        done = 0
        started = now()
        shown = started
        if (options.tty) show(false)
      }),
    advance: (documents) =>
      Effect.sync(() => {
        done += documents
        if (now() - shown >= interval) show(false)
      }),
    finish: Effect.sync(() => show(true))
  }
}

