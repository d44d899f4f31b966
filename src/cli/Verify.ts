import { Chunk, Effect, Stream } from "effect"
import type { Document } from "../ports/Document.js"
import type { DatabaseError, InvalidName } from "../ports/Errors.js"
import type { Backend } from "./Backends.js"
import { canonicalJson, combineDigests, digestOf, emptyDigest } from "./Canonical.js"
import { chooseCollections, countOrUnknown } from "./Collections.js"
import { retryTransient } from "./WritePage.js"
import { Progress } from "./Progress.js"
import type { Refused } from "./Refused.js"
import { printable } from "./Printable.js"
import { sourceDocuments } from "./SourceDocuments.js"

export interface CollectionDiff {
  readonly collection: string
  sourceCount: number
  targetCount: number
  readonly missing: Array<string>
  readonly extra: Array<string>
  readonly differing: Array<{ readonly id: string; readonly source: string; readonly target: string }>
  /** XOR of the documents' digests: equal on both sides when the collections hold the same documents. */
  sourceDigest: string
  targetDigest: string
}

export interface VerifyOptions {
  readonly collections?: ReadonlyArray<string> | undefined
  readonly pageSize: number
}

/**
 * Walks one side page by page, looking each page's ids up on the other side with one getMany;
 * `visit` sees every document with its counterpart (null when the other side lacks it).
 */
const walk = (
  from: Backend,
  to: Backend,
  collection: string,
  pageSize: number,
  label: string,
  visit: (doc: Document, other: Document | null) => void
) =>
  Effect.gen(function*() {
    const progress = yield* Progress
    yield* progress.start(label, yield* countOrUnknown(from, collection))
    yield* sourceDocuments(from, collection, pageSize).pipe(
      Stream.grouped(pageSize),
      Stream.buffer({ capacity: 2 }),
      Stream.mapEffect((page) => {
        const docs = Chunk.toReadonlyArray(page)
        return Effect.map(retryTransient(to.db.getMany(collection, docs.map((d) => d._id))), (others) => {
          for (const doc of docs) visit(doc, others.get(doc._id) ?? null)
          return docs.length
        })
      }),
      Stream.runForEach(progress.advance)
    )
    yield* progress.finish
  })

/**
 * Compares source and target collection by collection, by the canonical JSON of every document
 * (so a `_rev`, key order or a backend's number form never counts as a difference). Holds a page
 * and the ids that differ, never a collection.
 */
export const verify = (
  source: Backend,
  target: Backend,
  options: VerifyOptions,
  diffs: Array<CollectionDiff>
): Effect.Effect<void, DatabaseError | InvalidName | Refused, Progress> =>
  Effect.gen(function*() {
    const collections = yield* chooseCollections(options.collections, source, target)
    for (const collection of collections) {
      const diff: CollectionDiff = {
        collection,
        sourceCount: 0,
        targetCount: 0,
        missing: [],
        extra: [],
        differing: [],
        sourceDigest: "",
        targetDigest: ""
      }
      diffs.push(diff)
      let sourceDigest = emptyDigest()
      yield* walk(source, target, collection, options.pageSize, `${collection} (source)`, (doc, other) => {
        diff.sourceCount += 1
        const digest = digestOf(doc)
        sourceDigest = combineDigests(sourceDigest, digest)
        if (other === null) diff.missing.push(doc._id)
        else if (canonicalJson(other) !== canonicalJson(doc)) diff.differing.push({ id: doc._id, source: digest, target: digestOf(other) })
      })
      let targetDigest = emptyDigest()
      yield* walk(target, source, collection, options.pageSize, `${collection} (target)`, (doc, other) => {
        diff.targetCount += 1
        targetDigest = combineDigests(targetDigest, digestOf(doc))
        if (other === null) diff.extra.push(doc._id)
      })
      diff.sourceDigest = sourceDigest.toString("hex")
      diff.targetDigest = targetDigest.toString("hex")
    }
  })

const sameCountsAndDigests = (d: CollectionDiff) => d.sourceCount === d.targetCount && d.sourceDigest === d.targetDigest

const collectionIdentical = (d: CollectionDiff) =>
  d.missing.length === 0 && d.extra.length === 0 && d.differing.length === 0 && sameCountsAndDigests(d)

/**
 * Every id read was found on the other side with the same body, and the counts and collection
 * digests agree too: a backend can list fewer documents than its lookups find (pouchdb-server's
 * _all_docs skips ids with astral characters), and then only the counts and digests tell.
 */
export const identical = (diffs: ReadonlyArray<CollectionDiff>) => diffs.every(collectionIdentical)

const number = (n: number) => n.toLocaleString("en-US")

/** Why a collection's counts or digests differ when no id does, in words. */
const unexplained = (d: CollectionDiff): ReadonlyArray<string> => {
  if (sameCountsAndDigests(d) || d.missing.length > 0 || d.extra.length > 0 || d.differing.length > 0) return []
  return [
    d.sourceCount === d.targetCount
      ? `digests differ ${printable(d.collection)}: the same count, but the documents listed are not the same (listed twice on one side, missing from one side's listing, or changed while verify read them)`
      : `counts differ ${printable(d.collection)}: ${number(d.sourceCount)} listed in the source, ${number(d.targetCount)} in the target, though every id listed was found on the other side: one backend lists fewer documents than it holds, or lists some twice`
  ]
}

/**
 * The report: a table of counts and collection digests, then every missing, extra or differing id.
 * `finished` is false when the run stopped part-way: the last collection's counts are partial and
 * the later ones unread, so nothing can be called identical.
 */
export const formatDiffs = (diffs: ReadonlyArray<CollectionDiff>, finished = true): string => {
  const header = ["collection", "source", "target", "missing", "extra", "differing", "digest"]
  const rows = [
    header,
    ...diffs.map((d) => [
      printable(d.collection),
      number(d.sourceCount),
      number(d.targetCount),
      number(d.missing.length),
      number(d.extra.length),
      number(d.differing.length),
      d.sourceDigest === d.targetDigest ? d.sourceDigest.slice(0, 16) : `${d.sourceDigest.slice(0, 16)} ≠ ${d.targetDigest.slice(0, 16)}`
    ])
  ]
  const widths = header.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)))
  const lines = rows.map((row) => row.map((cell, i) => (i === 0 || i === 6 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ").trimEnd())
  for (const d of diffs) {
    const collection = printable(d.collection)
    for (const id of d.missing) lines.push(`missing ${collection}/${printable(id)}: in the source only`)
    for (const id of d.extra) lines.push(`extra ${collection}/${printable(id)}: in the target only`)
    for (const { id, source, target } of d.differing) {
      lines.push(`differs ${collection}/${printable(id)}: sha256 ${source.slice(0, 16)} in the source, ${target.slice(0, 16)} in the target`)
    }
    if (finished) lines.push(...unexplained(d))
  }
  if (!finished) lines.push("NOT VERIFIED: stopped before the end; the counts above are partial")
  else lines.push(identical(diffs) ? "identical: every document is in both, with the same body" : "DIFFERENT")
  return lines.join("\n")
}
