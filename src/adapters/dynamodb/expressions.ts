import type { Selector } from "../../ports/Document.js"
import { ID, REV, UNREVISED } from "./tables.js"

export interface Expression {
  readonly ExpressionAttributeNames?: Record<string, string>
  readonly ExpressionAttributeValues?: Record<string, unknown>
}

/**
 * Collects attribute-name and value placeholders: every field goes through `#n<i>`, since
 * common field names (name, status, size...) are DynamoDB reserved words.
 */
const placeholders = () => {
  const names: Record<string, string> = {}
  const byField = new Map<string, string>()
  const values: Record<string, unknown> = {}
  let valueCount = 0
  return {
    name: (field: string): string => {
      let placeholder = byField.get(field)
      if (placeholder === undefined) {
        placeholder = `#n${byField.size}`
        byField.set(field, placeholder)
        names[placeholder] = field
      }
      return placeholder
    },
    value: (value: unknown): string => {
      const placeholder = `:v${valueCount++}`
      values[placeholder] = value
      return placeholder
    },
    // DynamoDB rejects empty ExpressionAttributeNames/Values maps, so leave out whichever is unused.
    done: (): Expression => ({
      ...(byField.size > 0 ? { ExpressionAttributeNames: names } : {}),
      ...(valueCount > 0 ? { ExpressionAttributeValues: values } : {})
    })
  }
}

type Placeholders = ReturnType<typeof placeholders>

// An item written without a revision (by another writer) is what UNREVISED stands for.
const revisionIs = (p: Placeholders, expectedRev: string): string =>
  expectedRev === UNREVISED
    ? `(attribute_exists(${p.name(ID)}) AND (attribute_not_exists(${p.name(REV)}) OR attribute_type(${p.name(REV)}, ${p.value("NULL")})))`
    : `${p.name(REV)} = ${p.value(expectedRev)}`

/** The condition of a conditional write: create-only and/or an expected revision. */
export const writeCondition = (
  create: boolean,
  expectedRev: string | undefined
): Expression & { readonly ConditionExpression?: string } => {
  const p = placeholders()
  const clauses: Array<string> = []
  if (create) clauses.push(`attribute_not_exists(${p.name(ID)})`)
  if (expectedRev !== undefined) clauses.push(revisionIs(p, expectedRev))
  return clauses.length === 0 ? {} : { ConditionExpression: clauses.join(" AND "), ...p.done() }
}

/** A delete of an existing document, at the expected revision if one is given. */
export const deleteCondition = (expectedRev: string | undefined): Expression & { readonly ConditionExpression: string } => {
  const p = placeholders()
  const clause = expectedRev === undefined ? `attribute_exists(${p.name(ID)})` : revisionIs(p, expectedRev)
  return { ConditionExpression: clause, ...p.done() }
}

/** Scan parameters for `find`: equality on every selector field, projection to the requested fields. */
export const findExpression = (
  selector: Selector,
  fields: ReadonlyArray<string> | undefined
): Expression & { readonly FilterExpression?: string; readonly ProjectionExpression?: string } => {
  const p = placeholders()
  const clauses = Object.entries(selector).map(([field, value]) =>
    // `= NULL` is not a valid comparison in DynamoDB; the NULL type test is the equivalent.
    value === null ? `attribute_type(${p.name(field)}, ${p.value("NULL")})` : `${p.name(field)} = ${p.value(value)}`
  )
  const projection = fields === undefined ? undefined : [ID, REV, ...fields].map(p.name)
  return {
    ...(clauses.length > 0 ? { FilterExpression: clauses.join(" AND ") } : {}),
    ...(projection !== undefined ? { ProjectionExpression: [...new Set(projection)].join(", ") } : {}),
    ...p.done()
  }
}
