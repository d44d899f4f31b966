/**
 * Run by the migration bench in a process of its own (node --expose-gc), so that its memory is the
 * copy's alone: opens the SOURCE_ and TARGET_ backends from the environment exactly as `docport copy`
 * does, runs the CLI's copy, then (after the parent says "go" on stdin, so that it can count each
 * phase's requests apart) the CLI's verify. Prints one JSON line per phase.
 */
import { Effect } from "effect"
import { createInterface } from "node:readline"
import type { Provider } from "../../src/adapters/Providers.js"
import * as Backends from "../../src/cli/Backends.js"
import { copy } from "../../src/cli/Copy.js"
import { Progress } from "../../src/cli/Progress.js"
import type { Tally } from "../../src/cli/Tally.js"
import { type CollectionDiff, identical, verify } from "../../src/cli/Verify.js"
import { collect, MB, settle } from "../support/heap.js"

const [from, to, pageSizeArg] = process.argv.slice(2) as [Provider, Provider, string]
const pageSize = Number(pageSizeArg)

/** A Progress that samples memory once a page, and what stays reachable every 100 pages. */
const sampling = () => {
  const before = settle()
  let pages = 0
  let peakHeap = before.heapUsed
  let peakLiveHeap = before.heapUsed
  let peakRss = before.rss
  const progress = {
    start: () => Effect.void,
    finish: Effect.void,
    advance: () =>
      Effect.sync(() => {
        pages += 1
        const now = process.memoryUsage()
        peakHeap = Math.max(peakHeap, now.heapUsed)
        peakRss = Math.max(peakRss, now.rss)
        if (pages % 100 === 0) {
          collect()
          peakLiveHeap = Math.max(peakLiveHeap, process.memoryUsage().heapUsed)
        }
      })
  }
  const report = () => ({
    extraHeapMB: (peakHeap - before.heapUsed) / MB,
    extraLiveHeapMB: (peakLiveHeap - before.heapUsed) / MB,
    extraRssMB: (peakRss - before.rss) / MB
  })
  return { progress, report }
}

const waitForGo = Effect.async<void>((resume) => {
  const lines = createInterface({ input: process.stdin })
  lines.once("line", () => {
    lines.close()
    resume(Effect.void)
  })
})

const program = Effect.gen(function*() {
  const backends = yield* Backends.Backends
  const source = yield* backends.open("source", from)
  const target = yield* backends.open("target", to)

  const copying = sampling()
  const tallies: Array<Tally> = []
  let started = performance.now()
  yield* copy(source, target, { mode: "create", dryRun: false, pageSize }, tallies).pipe(
    Effect.provideService(Progress, copying.progress)
  )
  console.log(JSON.stringify({ phase: "copy", ms: performance.now() - started, tallies, ...copying.report() }))

  yield* waitForGo
  const verifying = sampling()
  const diffs: Array<CollectionDiff> = []
  started = performance.now()
  yield* verify(source, target, { pageSize }, diffs).pipe(Effect.provideService(Progress, verifying.progress))
  const counts = diffs.map((d) => ({ collection: d.collection, source: d.sourceCount, target: d.targetCount }))
  console.log(JSON.stringify({ phase: "verify", ms: performance.now() - started, identical: identical(diffs), counts, ...verifying.report() }))

  // For contrast: one collection read whole, as a copy built on listAll would hold it.
  const beforeList = settle()
  const all = yield* source.db.listAll(tallies[0]!.collection)
  const holding = settle()
  console.log(JSON.stringify({ phase: "listAll", documents: all.length, heapMB: (holding.heapUsed - beforeList.heapUsed) / MB }))
})

Effect.runPromise(Effect.scoped(Effect.provide(program, Backends.layer))).then(
  () => process.exit(0),
  (error) => {
    console.error(String(error))
    process.exit(1)
  }
)
