import { randomUUID } from "node:crypto"
import type { Document } from "../ports/Document.js"

/**
 * Where a record's access statistics live: one document per record, under the record's own id.
 * Apart from the record, so that a write of the record needs no condition to keep counts a flush
 * wrote in between (and, on DynamoDB, can go into BatchWriteItem), while the flush of the counts
 * stays conditional on these documents only.
 */
export const DATA_STORE_ACCESS = "agent_data_store_access"

/** The record a statistics document counts: the same id, and the record's creation time. */
export interface AccessTarget {
  readonly id: string
  readonly userId: string
  readonly namespace: string
  /**
   * Which creation of the record: its `creation` token (its creation time and a random suffix),
   * else, for records stored without one, its `createdAt` ("" when it has neither). A record
   * deleted and created again under the same id starts from zero: statistics of another creation
   * are not its own. Tokens order by time.
   */
  readonly creation: string
}

export interface Access {
  readonly accessCount: number
  readonly lastAccessedAt: string | null
  readonly lastAccessedByAgent: string | null
}

const text = (value: unknown): string | null => (typeof value === "string" ? value : null)

export const creationOf = (doc: Document): string => text(doc.creation) ?? text(doc.createdAt) ?? ""

/** A new record's creation token. */
export const newCreation = (createdAt: string): string => `${createdAt}~${randomUUID().slice(0, 8)}`

export const targetOf = (doc: Document): AccessTarget => ({
  id: doc._id,
  userId: String(doc.userId),
  namespace: String(doc.namespace),
  creation: creationOf(doc)
})

/** The statistics document's counts, if it counts this creation of the record. */
export const accessOf = (record: Document, stats: Document | null | undefined): Access | undefined =>
  stats == null || stats.recordCreation !== creationOf(record) || stats.userId !== record.userId
    ? undefined
    : {
      accessCount: typeof stats.accessCount === "number" ? stats.accessCount : 0,
      lastAccessedAt: text(stats.lastAccessedAt),
      lastAccessedByAgent: text(stats.lastAccessedByAgent)
    }

/**
 * The record's own fields with its statistics added: records stored before the statistics moved
 * out (Gofannon's, or docport's earlier ones) carry a count of their own, which stays the base.
 */
export const mergeAccess = (record: Document, access: Access | undefined): Access => {
  const inline: Access = {
    accessCount: typeof record.accessCount === "number" ? record.accessCount : 0,
    lastAccessedAt: text(record.lastAccessedAt),
    lastAccessedByAgent: text(record.lastAccessedByAgent)
  }
  if (access === undefined) return inline
  const later = access.lastAccessedAt !== null && (inline.lastAccessedAt === null || access.lastAccessedAt >= inline.lastAccessedAt)
  return {
    accessCount: inline.accessCount + access.accessCount,
    lastAccessedAt: later ? access.lastAccessedAt : inline.lastAccessedAt,
    lastAccessedByAgent: later ? access.lastAccessedByAgent : inline.lastAccessedByAgent
  }
}
