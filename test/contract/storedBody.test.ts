import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { MAX_DEPTH, MAX_DOCUMENT_BYTES, MAX_VALUES, storedBody, storedBodyByJson } from "../../src/ports/DocumentLimits.js"

// storedBody copies plain documents in one walk and sends every other one the JSON way; either
// way its answer must be the JSON way's, to the bit (negative zero included).
const sameAsJson = (doc: Record<string, unknown>) => {
  const { _id, _rev, ...body } = doc
  expect(storedBody(doc)).toStrictEqual(storedBodyByJson(body))
}

const nest = (levels: number): unknown => (levels === 0 ? 1 : { next: nest(levels - 1) })

describe("storedBody", () => {
  it("answers what the JSON round trip answers, for any document", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.anything({ withBoxedValues: true, withDate: true, withNullPrototype: true, withSparseArray: true })), (doc) => {
        sameAsJson(doc)
      }),
      { numRuns: 2_000 }
    )
  })

  it("answers what the JSON round trip answers, for JSON documents", () => {
    fc.assert(fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (doc) => sameAsJson(doc)), { numRuns: 2_000 })
  })

  it("answers what the JSON round trip answers at and around every limit", () => {
    const cases: Array<Record<string, unknown>> = [
      { _id: "a", _rev: "1-x", zero: -0, list: [0, -0], nested: { zero: -0 } },
      { list: [0, 1.5e-200] },
      { list: [1e130] },
      { list: [1, undefined] },
      // eslint-disable-next-line no-sparse-arrays
      { list: [1, , 2] },
      { list: Object.assign([1], { toJSON: () => "an array's own toJSON" }) },
      { v: new Array(MAX_VALUES - 1).fill(1) },
      { v: new Array(MAX_VALUES).fill(1) },
      { s: "x".repeat(MAX_DOCUMENT_BYTES - 8) },
      { s: "x".repeat(MAX_DOCUMENT_BYTES - 7) },
      // Every unit of these strings takes 6 bytes of JSON, as many as the walk's bound allows it:
      // 8 + 6 × units bytes, the limit itself at 34,132 units.
      { s: "\u0001".repeat(34_131) },
      { s: "\u0001".repeat(34_132) },
      { s: "\u0001".repeat(34_133) },
      { ["\u001f".repeat(34_132)]: "" },
      { ["\u001f".repeat(34_133)]: "" },
      { s: "é€😀".repeat(20_000) },
      { v: new Array(8_192).fill(-1.2345678901234567e-125) },
      { v: nest(MAX_DEPTH - 1) },
      { v: nest(MAX_DEPTH) },
      { v: [[[[[[[[[[1]]]]]]]]]] },
      { v: [[[[[[[[[[[1]]]]]]]]]]] },
      JSON.parse(`{"nested": {"__proto__": {"x": 1}}}`),
      { s: "lone \ud800" },
      { "lone \udc00": 1 },
      { n: Number.NaN },
      { when: new Date(0), big: 1n },
      { gone: undefined, kept: [1, 2] }
    ]
    for (const doc of cases) sameAsJson(doc)
  })

  it("copies the document, so that the caller's object can change afterwards", () => {
    const doc = { tools: { web: ["search"] } }
    const stored = storedBody(doc)
    doc.tools.web.push("fetch")
    expect(stored).toMatchObject({ body: { tools: { web: ["search"] } } })
  })
})
