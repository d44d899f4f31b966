import { printable } from "./Printable.js"

/** A document that did not go over, with the reason, never its body. */
export interface Failure {
  readonly id: string
  readonly reason: string
}

/** What happened to one collection's documents in an import or a copy. */
export interface Tally {
  readonly collection: string
  read: number
  written: number
  /** Already in the target with the same body (a resumed run), or not selected. */
  skipped: number
  failed: number
  readonly failures: Array<Failure>
}

export const emptyTally = (collection: string): Tally => ({
  collection,
  read: 0,
  written: 0,
  skipped: 0,
  failed: 0,
  failures: []
})

export interface PageOutcome {
  readonly read: number
  readonly written: number
  readonly skipped: number
  readonly failures: ReadonlyArray<Failure>
}

export const addPage = (tally: Tally, page: PageOutcome): Tally => {
  tally.read += page.read
  tally.written += page.written
  tally.skipped += page.skipped
  tally.failed += page.failures.length
  tally.failures.push(...page.failures)
  return tally
}

const number = (n: number) => n.toLocaleString("en-US")

const pad = (cells: ReadonlyArray<string>, widths: ReadonlyArray<number>) =>
  cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ")

/** The end-of-run table, per collection, then every failure with its id and reason. */
export const formatSummary = (tallies: ReadonlyArray<Tally>, dryRun: boolean): string => {
  const header = ["collection", "read", dryRun ? "would write" : "written", "skipped", "failed"]
  const total = tallies.reduce(
    (sum, t) => ({ read: sum.read + t.read, written: sum.written + t.written, skipped: sum.skipped + t.skipped, failed: sum.failed + t.failed }),
    { read: 0, written: 0, skipped: 0, failed: 0 }
  )
  const rows = [
    header,
    ...tallies.map((t) => [printable(t.collection), number(t.read), number(t.written), number(t.skipped), number(t.failed)]),
    ["total", number(total.read), number(total.written), number(total.skipped), number(total.failed)]
  ]
  const widths = header.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)))
  const lines = rows.map((row) => pad(row, widths))
  for (const t of tallies) {
    for (const failure of t.failures) lines.push(`failed ${printable(t.collection)}/${printable(failure.id)}: ${printable(failure.reason)}`)
  }
  if (dryRun) lines.push("dry run: nothing was written")
  return lines.join("\n")
}

export const allWentOver = (tallies: ReadonlyArray<Tally>) => tallies.every((t) => t.failed === 0)
