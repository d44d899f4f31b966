import { DatabaseError } from "../../ports/Errors.js"
import { isUnreachable } from "../unreachable.js"
import { withoutAddresses } from "../withoutAddresses.js"

// What DynamoDB answers once the SDK's own bounded retries are spent: the service is there but
// refuses more work for now, which the HTTP edge reports as 503 like an unreachable backend.
const THROTTLING = new Set(["ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"])

const nameOf = (cause: unknown): string | undefined =>
  cause !== null && typeof cause === "object" && typeof (cause as { name?: unknown }).name === "string"
    ? (cause as { name: string }).name
    : undefined

/** Whether a DatabaseError wraps the SDK exception with this name. */
export const isAwsError = (name: string) => (error: unknown): boolean =>
  error instanceof DatabaseError && nameOf(error.cause) === name

export const isMissingTable = isAwsError("ResourceNotFoundException")
export const isConditionFailed = isAwsError("ConditionalCheckFailedException")

const describe = (cause: unknown): string => {
  if (!(cause instanceof Error)) return String(cause)
  const code = (cause as { code?: unknown }).code
  const extra = typeof code === "string" && code !== cause.name && !cause.message.includes(code) ? code : undefined
  const parts = [cause.name, extra, cause.message]
  return parts.filter((part) => part !== undefined && part !== "").join(": ")
}

const explain = (cause: unknown): string => {
  const text = withoutAddresses(describe(cause))
  if (text.includes("Item size has exceeded the maximum allowed size")) {
    return `the document is larger than DynamoDB's 400 KB item limit (${text})`
  }
  return text
}

/** Wraps any SDK or network failure; `where` names the region or the endpoint's variable, never an address. */
export const toDatabaseError = (operation: string, where: string, cause: unknown): DatabaseError =>
  new DatabaseError({
    operation,
    message: `DynamoDB ${operation} at ${where} failed: ${explain(cause)}`,
    unavailable: isUnreachable(cause) || THROTTLING.has(nameOf(cause) ?? ""),
    cause
  })
