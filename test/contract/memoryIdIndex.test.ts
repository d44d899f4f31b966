import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as MemoryDatabase from "../../src/adapters/MemoryDatabase.js"
import { DocumentArena } from "../../src/adapters/memory/DocumentArena.js"
import { IdIndex } from "../../src/adapters/memory/IdIndex.js"
import { makeDatabaseService } from "../../src/ports/makeDatabaseService.js"
import { fullCollection } from "../support/fullCollection.js"

// Ids whose UTF-16 code units and UTF-8 bytes could be confused: "Ã©" is two characters whose
// codes are the two bytes of "é" in UTF-8.
const awkward = ["é", "Ã©", "e", "😀", "\u00ff", "a/b", "", "x".repeat(300)]

/** An arena and an index kept beside a plain Map of the same ids, compaction moving records as it goes. */
const pair = () => {
  let index: IdIndex | undefined
  const arena = new DocumentArena(256, (_collection, id, to) => index!.set(id, to))
  index = new IdIndex(arena)
  const model = new Map<string, string>()
  let counter = 0
  const put = (id: string) => {
    const json = JSON.stringify({ id, counter: ++counter })
    const existing = index!.get(id)
    if (existing !== undefined) {
      index!.delete(id)
      arena.release(existing)
    }
    index!.set(id, arena.put(0, id, 1, counter, json))
    model.set(id, json)
  }
  const remove = (id: string) => {
    const at = index!.get(id)
    expect(index!.delete(id)).toBe(at)
    if (at !== undefined) arena.release(at)
    model.delete(id)
  }
  const agrees = () => {
    expect(index!.size).toBe(model.size)
    expect(index!.ids().sort()).toEqual([...model.keys()].sort())
    for (const [id, json] of model) expect(arena.json(index!.get(id)!)).toBe(json)
  }
  return { arena, index, put, remove, agrees, model }
}

describe("the memory backend's id index", () => {
  it("finds what a Map would through growth, deletes, rewrites, shrinking and compaction", () => {
    const { agrees, index, put, remove } = pair()
    for (let n = 0; n < 2000; n++) put(`doc-${n}`)
    agrees()
    // Every other one deleted, the rest rewritten: deleted slots stay in the probe sequences.
    for (let n = 0; n < 2000; n += 2) remove(`doc-${n}`)
    for (let n = 1; n < 2000; n += 2) put(`doc-${n}`)
    agrees()
    for (let n = 0; n < 2000; n += 2) expect(index.get(`doc-${n}`)).toBeUndefined()
    // Down to a few: the table shrinks, and what is left is still found.
    for (let n = 1; n < 1990; n += 2) remove(`doc-${n}`)
    agrees()
    for (let n = 0; n < 500; n++) put(`again-${n}`)
    agrees()
  })

  it("tells apart ids whose characters and bytes could be confused", () => {
    const { agrees, arena, index, put, remove } = pair()
    for (const id of awkward) put(id)
    agrees()
    for (const id of awkward) expect(arena.idIs(index.get(id)!, id)).toBe(true)
    expect(arena.idIs(index.get("é")!, "Ã©")).toBe(false)
    expect(arena.idIs(index.get("Ã©")!, "é")).toBe(false)
    expect(index.get("Ã")).toBeUndefined()
    remove("é")
    expect(index.get("Ã©")).toBeDefined()
    agrees()
  })

  it("agrees with a Map over a long run of random puts and deletes", () => {
    const { agrees, model, put, remove } = pair()
    let seed = 7
    const random = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
      return seed % n
    }
    for (let step = 0; step < 20_000; step++) {
      const id = random(3) === 0 ? awkward[random(awkward.length)]! : `k${random(600)}`
      if (random(4) === 0) remove(id)
      else put(id)
      if (step % 2500 === 0) agrees()
    }
    agrees()
    expect(model.size).toBeGreaterThan(100)
  })

  it.effect("keeps a store's ids off V8's heap: 100,000 documents add less than 2 MB to it", () =>
    Effect.gen(function*() {
      const db = makeDatabaseService(MemoryDatabase.makeRaw())
      fullCollection()
      const before = process.memoryUsage().heapUsed
      for (let n = 0; n < 100_000; n++) yield* db.save("things", `0123456789abcdef-${n}`, { n })
      fullCollection()
      fullCollection()
      expect(process.memoryUsage().heapUsed - before).toBeLessThan(2_000_000)
      expect((yield* db.get("things", "0123456789abcdef-99999")).n).toBe(99_999)
    }), 60_000)
})
