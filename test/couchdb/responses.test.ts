import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Schema } from "effect"
import {
  AllDocsPage,
  BulkResponse,
  type Checked,
  decode,
  FindResponse,
  KeyedRows,
  StoredDocumentResponse,
  WriteResponse
} from "../../src/adapters/couchdb/CouchDbResponses.js"

const doc = { _id: "a", _rev: "1-x", name: "n", nested: { ok: true } }

// Every field of every shape, present, absent, null, of another type, inside and outside the arrays.
const values: ReadonlyArray<unknown> = [undefined, null, 0, "s", true, [], {}, doc, { _id: "a" }, { _rev: "1-x" }, { _id: 1, _rev: "1-x" }]

const variants = (base: Record<string, unknown>): Array<unknown> => [
  base,
  ...Object.keys(base).flatMap((key) =>
    values.map((value) => {
      const copy: Record<string, unknown> = { ...base }
      if (value === undefined) delete copy[key]
      else copy[key] = value
      return copy
    })
  ),
  ...values.map((value) => ({ ...base, extra: value }))
]

const samples: Record<string, { readonly shape: Checked<any>; readonly valid: unknown; readonly cases: ReadonlyArray<unknown> }> = {
  StoredDocument: { shape: StoredDocumentResponse, valid: doc, cases: [...values, ...variants(doc)] },
  WriteResponse: { shape: WriteResponse, valid: { ok: true, id: "a", rev: "1-x" }, cases: variants({ ok: true, id: "a", rev: "1-x" }) },
  AllDocsPage: {
    shape: AllDocsPage,
    valid: { total_rows: 1, rows: [{ id: "a", key: "a", doc }] },
    cases: [
      ...values,
      ...variants({ rows: [{ id: "a", doc }] }),
      ...variants({ id: "a", doc }).map((row) => ({ rows: [{ id: "b", doc }, row] }))
    ]
  },
  KeyedRows: {
    shape: KeyedRows,
    valid: { rows: [{ key: "a", value: { rev: "1-x" }, doc }, { key: "b", error: "not_found" }, { key: "c", value: { rev: "2-y", deleted: true }, doc: null }] },
    cases: [
      ...values,
      ...variants({ rows: [] }),
      ...variants({ key: "a", value: { rev: "1-x", deleted: false }, doc, error: "e" }).map((row) => ({ rows: [row] })),
      ...variants({ rev: "1-x", deleted: true }).map((value) => ({ rows: [{ key: "a", value }] }))
    ]
  },
  BulkResponse: {
    shape: BulkResponse,
    valid: [{ id: "a", rev: "1-x" }, { id: "b", error: "conflict", reason: "r" }],
    cases: [...values, ...variants({ id: "a", rev: "1-x", error: "e", reason: "r" }).map((entry) => [{ id: "b" }, entry])]
  },
  FindResponse: {
    shape: FindResponse,
    valid: { docs: [doc, null], bookmark: "b", warning: "no index" },
    cases: [...values, ...variants({ docs: [doc], bookmark: "b" }), ...values.map((d) => ({ docs: [doc, d] }))]
  }
}

describe("CouchDB response shapes", () => {
  for (const [name, { cases, shape, valid }] of Object.entries(samples)) {
    it(`${name}: the fast guard accepts exactly what the schema accepts`, () => {
      const bySchema = Schema.is(shape.schema)
      expect(shape.is(valid)).toBe(true)
      const accepted = cases.filter((c) => bySchema(c))
      const refused = cases.filter((c) => !bySchema(c))
      // Both kinds are among the cases, or the comparison would prove little.
      expect(accepted.length).toBeGreaterThan(0)
      expect(refused.length).toBeGreaterThan(0)
      for (const c of cases) expect([JSON.stringify(c), shape.is(c)]).toEqual([JSON.stringify(c), bySchema(c)])
    })
  }

  it.effect("a response the guard passes comes back as it is; one it refuses fails typed, naming what differs", () =>
    Effect.gen(function*() {
      const response = { rows: [{ key: "a", value: { rev: "1-x" }, doc }] }
      expect(yield* decode("getMany", KeyedRows)(response)).toBe(response)
      const exit = yield* Effect.exit(decode("getMany", KeyedRows)({ rows: [{ key: 1 }] }))
      expect(Exit.isFailure(exit)).toBe(true)
      const error = yield* Effect.flip(decode("getMany", KeyedRows)({ rows: [{ key: 1 }] }))
      expect(error._tag).toBe("DatabaseError")
      expect(error.message).toContain("unexpected answer from CouchDB")
      expect(error.message).toContain("key")
    }))
})
