import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import { describe, expect, it } from "@effect/vitest"
import { type Schema, SchemaAST } from "effect"
import { DocportApi } from "../../src/app/http/Api.js"

// The API answers every failure by encoding it through one union of every error it declares
// (@effect/platform's HttpApiBuilder.httpApp). A class whose `_tag` and fields match another's is
// accepted for an instance of that other class too: the union rebuilt each 404 of the data routes
// as the sign-in routes' look-alikes first (a validation and a stack trace each), 265 - 295 µs of
// CPU per 404 against 189 - 196 µs without them (bench/HISTORY.md, 3 December).
const errorMembers = (): Array<Schema.Schema.Any> => {
  const members = new Set<Schema.Schema.Any>()
  const add = (schema: unknown) => HttpApiSchema.deunionize(members, schema as Schema.Schema.Any)
  add(DocportApi.errorSchema)
  for (const group of Object.values(DocportApi.groups)) {
    add(group.errorSchema)
    for (const endpoint of Object.values(group.endpoints)) add(endpoint.errorSchema)
  }
  return [...members]
}

const tagOf = (ast: SchemaAST.AST): string | undefined => {
  const encoded = SchemaAST.encodedAST(ast)
  if (encoded._tag !== "TypeLiteral") return undefined
  const tag = encoded.propertySignatures.find((p) => p.name === "_tag")?.type
  return tag?._tag === "Literal" ? String(tag.literal) : undefined
}

describe("the API's declared errors", () => {
  it("give each `_tag` to one class only", () => {
    const byTag = new Map<string, Array<string>>()
    for (const member of errorMembers()) {
      const tag = tagOf(member.ast)
      if (tag === undefined) continue
      const name = SchemaAST.getIdentifierAnnotation(member.ast).pipe((o) => (o._tag === "Some" ? o.value : String(member.ast)))
      byTag.set(tag, [...(byTag.get(tag) ?? []), name])
    }
    expect(byTag.get("NotFound")).toHaveLength(1)
    expect([...byTag].filter(([, classes]) => classes.length > 1)).toEqual([])
  })
})
