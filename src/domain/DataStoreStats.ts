import { Chunk, Effect, Stream } from "effect"
import type { DatabaseServiceShape } from "../ports/DatabaseService.js"
import type { Document } from "../ports/Document.js"
import type { DatabaseError, InvalidName } from "../ports/Errors.js"
import { DATA_STORE_ACCESS } from "./AccessStats.js"
import { DATA_STORE, type NamespaceList, type NamespaceStats } from "./DataRecord.js"
import { jsonBytes } from "./DataStoreLimits.js"
import { PAGE, type Pages } from "./DataStorePages.js"

// Stats read names, agents, dates and the size each write stored, not the values; a record
// written before sizes were stored (migrated from Gofannon) has its value read to measure it.
const STAT_FIELDS = ["userId", "namespace", "sizeBytes", "createdByAgent", "lastAccessedByAgent", "updatedAt"]

interface Bucket {
  recordCount: number
  sizeBytes: number
  agents: Set<string>
  updatedAt: string | null
}

const toStats = (namespace: string, bucket: Bucket | undefined): NamespaceStats => ({
  namespace,
  recordCount: bucket?.recordCount ?? 0,
  sizeBytes: bucket?.sizeBytes ?? 0,
  agents: [...(bucket?.agents ?? [])].sort(),
  updatedAt: bucket?.updatedAt ?? null
})

const addTo = (buckets: Map<string, Bucket>, doc: Document) => {
  const namespace = String(doc.namespace)
  let bucket = buckets.get(namespace)
  if (bucket === undefined) {
    bucket = { recordCount: 0, sizeBytes: 0, agents: new Set(), updatedAt: null }
    buckets.set(namespace, bucket)
  }
  bucket.recordCount += 1
  bucket.sizeBytes += doc.sizeBytes as number
  for (const agent of [doc.createdByAgent, doc.lastAccessedByAgent]) if (typeof agent === "string" && agent !== "") bucket.agents.add(agent)
  if (typeof doc.updatedAt === "string" && (bucket.updatedAt === null || doc.updatedAt > bucket.updatedAt)) bucket.updatedAt = doc.updatedAt
  return buckets
}

type Failure = DatabaseError | InvalidName

/** A user's namespaces counted page by page: records, bytes, agents and the latest write of each. */
export const makeNamespaceStats = (db: DatabaseServiceShape, pages: Pages) => {
  const withSizes = (docs: ReadonlyArray<Document>) =>
    Effect.gen(function*() {
      const unsized = docs.filter((d) => typeof d.sizeBytes !== "number").map((d) => d._id)
      if (unsized.length === 0) return docs
      const full = yield* db.getMany(DATA_STORE, unsized)
      return docs.map((d) => {
        if (typeof d.sizeBytes === "number") return d
        const stored = full.get(d._id)
        return { ...d, sizeBytes: stored == null ? 0 : jsonBytes(stored.value) }
      })
    })

  const statsOf = (selector: Record<string, string>, userId: string) =>
    pages(selector, STAT_FIELDS).pipe(
      Stream.filter((doc) => doc.userId === userId && (selector.namespace === undefined || doc.namespace === selector.namespace)),
      Stream.mapChunksEffect((chunk) => Effect.map(withSizes(Chunk.toReadonlyArray(chunk)), Chunk.unsafeFromArray)),
      Stream.runFold(new Map<string, Bucket>(), addTo),
      // Agents that only read a record are named in its access statistics.
      Effect.flatMap((buckets) =>
        pages(selector, ["userId", "namespace", "lastAccessedByAgent"], undefined, PAGE, DATA_STORE_ACCESS).pipe(
          Stream.runForEach((doc) =>
            Effect.sync(() => {
              const agent = doc.lastAccessedByAgent
              if (doc.userId === userId && typeof agent === "string" && agent !== "") buckets.get(String(doc.namespace))?.agents.add(agent)
            })
          ),
          Effect.as(buckets)
        )
      )
    )

  const namespaces = (userId: string): Effect.Effect<NamespaceList, Failure> =>
    Effect.map(statsOf({ userId }, userId), (buckets) => {
      const list = [...buckets.keys()].sort().map((namespace) => toStats(namespace, buckets.get(namespace)))
      return {
        namespaces: list,
        totalRecordCount: list.reduce((sum, ns) => sum + ns.recordCount, 0),
        totalSizeBytes: list.reduce((sum, ns) => sum + ns.sizeBytes, 0)
      }
    })

  /** Reads only that namespace; an unknown one has zero records. */
  const namespace = (userId: string, name: string): Effect.Effect<NamespaceStats, Failure> =>
    Effect.map(statsOf({ userId, namespace: name }, userId), (buckets) => toStats(name, buckets.get(name)))

  return { namespaces, namespace }
}
