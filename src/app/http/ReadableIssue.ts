import { Option, ParseResult, type Schema, SchemaAST as AST } from "effect"

// A detail names the field and the problem and never quotes the value: a 10 MB wrong value must
// not come back as a 20 MB error, and a value may be something the client should not see echoed.
const MAX_KEY = 40
const MAX_ISSUES = 3
const MAX_DETAIL = 400
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/

const keyText = (key: PropertyKey): string => {
  if (typeof key === "number") return `[${key}]`
  const text = String(key)
  if (IDENTIFIER.test(text) && text.length <= MAX_KEY) return `.${text}`
  // Record keys come from the client: shorten them, and quote so control characters stay visible.
  return `[${JSON.stringify(text.length > MAX_KEY ? `${text.slice(0, MAX_KEY)}…` : text)}]`
}

const pathText = (path: ReadonlyArray<PropertyKey>): string =>
  path.length === 0 ? "the request body" : path.map(keyText).join("").replace(/^\./, "")

const unique = (parts: ReadonlyArray<string>) => [...new Set(parts)]

/** What a schema expects, in words, without dumping the schema. */
const expected = (ast: AST.AST): string => {
  switch (ast._tag) {
    case "StringKeyword":
    case "TemplateLiteral":
      return "a string"
    case "NumberKeyword":
      return "a number"
    case "BooleanKeyword":
      return "true or false"
    case "Literal":
      return ast.literal === null ? "null" : JSON.stringify(String(ast.literal)).slice(0, 60)
    case "TypeLiteral":
      return ast.propertySignatures.length === 0 && ast.indexSignatures.length > 0 ? "an object (a map of names to values)" : "an object"
    case "TupleType":
      return "a list"
    case "Union": {
      // An optional field's `undefined` is its absence, which a JSON body cannot send as a value.
      const members = unique(ast.types.filter((t) => t._tag !== "UndefinedKeyword").map(expected))
      return members.length > 4 ? "one of the accepted shapes" : members.join(" or ")
    }
    case "Refinement":
      return Option.getOrElse(AST.getDescriptionAnnotation(ast), () => expected(ast.from))
    case "Transformation":
      return expected(ast.to)
    case "Suspend":
      return expected(ast.f())
    case "UnknownKeyword":
    case "AnyKeyword":
      return "any JSON value"
    default:
      return "a value of another kind"
  }
}

type Problem = { readonly path: ReadonlyArray<PropertyKey>; readonly text: string }

const problems = (issue: ParseResult.ParseIssue, path: ReadonlyArray<PropertyKey>): Array<Problem> => {
  switch (issue._tag) {
    case "Pointer":
      return problems(issue.issue, [...path, ...(Array.isArray(issue.path) ? issue.path : [issue.path as PropertyKey])])
    case "Composite": {
      const inner = Array.isArray(issue.issues) ? issue.issues : [issue.issues as ParseResult.ParseIssue]
      if (issue.ast._tag === "Union") {
        // The members the value is not even shaped like say nothing; a member it got partly
        // right (a list whose item is wrong) says exactly what is wrong.
        const closer = inner.filter((i) => i._tag !== "Type")
        return closer.length > 0 ? closer.flatMap((i) => problems(i, path)) : [{ path, text: `must be ${expected(issue.ast)}` }]
      }
      return inner.flatMap((i) => problems(i, path))
    }
    case "Refinement":
    case "Transformation":
      return problems(issue.issue, path)
    case "Missing":
      return [{ path, text: "is required" }]
    case "Unexpected":
      return [{ path, text: "is not allowed" }]
    case "Forbidden":
      return [{ path, text: "could not be checked" }]
    case "Type":
      // A filter's own message (such as the friendly-name rules) already says what is wrong, in words.
      return [{ path, text: issue.message ?? `must be ${expected(issue.ast)}` }]
  }
}

/** One readable line for a request body that failed its schema: each field and its problem. */
export const readableIssue = (issue: ParseResult.ParseIssue): string => {
  const found = problems(issue, [])
  const lines = unique(found.slice(0, MAX_ISSUES).map(({ path, text }) => `${pathText(path)} ${text}`))
  const more = found.length > MAX_ISSUES ? ` (and ${found.length - MAX_ISSUES} more)` : ""
  const detail = `${lines.join("; ")}${more}`
  return detail.length > MAX_DETAIL ? `${detail.slice(0, MAX_DETAIL)}…` : detail
}

/**
 * An annotation for a payload schema: its decoding failures read as `readableIssue`, replacing
 * Effect's default message, which prints the schema and the actual value.
 */
export const readableMessage = {
  message: (issue: ParseResult.ParseIssue) => ({ message: readableIssue(issue), override: true })
} as const

/** A payload or query schema whose decoding failures read as one line naming each field and its problem (422). */
export const readable = <S extends Schema.Schema.Any>(schema: S): S => schema.annotations(readableMessage) as S
