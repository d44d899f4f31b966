import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as MemoryCatalog from "../../src/adapters/MemoryCatalog.js"
import { type Backend, fromLayer } from "../../src/cli/Backends.js"
import type { Portable } from "../../src/cli/Canonical.js"
import type { DocumentPage } from "../../src/ports/Document.js"
import { DatabaseError } from "../../src/ports/Errors.js"
import { pageStream } from "../../src/ports/pageStream.js"
import { cli, seed } from "./support.js"

// Memory backends stand in for the real ones: what is tested here is verify's arithmetic and report.
const memory = fromLayer("memory", MemoryCatalog.layer)

const docs: ReadonlyArray<Portable> = [{ _id: "a", n: 1 }, { _id: "b", n: 2 }, { _id: "c", n: 3 }]

/**
 * The backend with its listing changed: `pages`, and `stream` made of them as the port makes it,
 * so that the change is seen whichever of the two a command reads.
 */
const listing = (backend: Backend, pages: Backend["db"]["pages"]): Backend => ({
  ...backend,
  db: { ...backend.db, pages, stream: (collection, options) => pageStream(pages(collection, options)) }
})

/** A backend whose listing leaves out ids its lookups still find, as pouchdb-server's _all_docs does with astral ids. */
const listingWithout = (backend: Backend, left: string): Backend => {
  const without = <E>(read: Effect.Effect<DocumentPage, E>): Effect.Effect<DocumentPage, E> =>
    Effect.map(read, (page) => ({ items: page.items.filter((d) => d._id !== left), next: page.next === undefined ? undefined : without(page.next) }))
  return listing(backend, (collection, options) => without(backend.db.pages(collection, options)))
}

const args = ["verify", "--from-provider", "memory", "--to-provider", "memory"]

describe("verify", () => {
  it.scopedLive("counts or digests that differ are a difference even when every id listed is found", () =>
    Effect.gen(function*() {
      const source = yield* memory
      const target = yield* memory
      yield* seed(source, { agents: docs })
      yield* seed(target, { agents: docs })

      const run = yield* cli(args, { source, target: listingWithout(target, "b") })
      expect(run.exitCode, run.out).toBe(2)
      expect(run.result.diffs).toMatchObject([{ collection: "agents", sourceCount: 3, targetCount: 2, missing: [], extra: [] }])
      expect(run.out).toContain("counts differ agents: 3 listed in the source, 2 in the target")
      expect(run.out).not.toContain("identical")
      expect(run.out.trimEnd().split("\n").at(-1)).toBe("DIFFERENT")
    }))

  it.scopedLive("a verify that stopped part-way never says identical", () =>
    Effect.gen(function*() {
      const source = yield* memory
      const target = yield* memory
      yield* seed(source, { agents: docs, demos: docs })
      yield* seed(target, { agents: docs, demos: docs })
      const broken = listing(target, (collection, options) =>
        collection === "demos"
          ? Effect.fail(new DatabaseError({ operation: "stream", message: "the listing was refused" }))
          : target.db.pages(collection, options))
      const run = yield* cli(args, { source, target: broken })
      expect(run.exitCode).toBe(1)
      expect(run.err).toContain("docport verify stopped: the listing was refused")
      expect(run.out).not.toContain("identical")
      expect(run.out).toContain("NOT VERIFIED: stopped before the end")
    }))
})

