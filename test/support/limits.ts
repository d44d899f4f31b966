import { MAX_DOCUMENT_BYTES, MAX_VALUES } from "../../src/ports/DocumentLimits.js"

/**
 * The heaviest document the shared limits allow by DynamoDB's and Firestore's accounting: one-digit
 * numbers in a list up to the value limit (2 bytes of JSON each, 3 bytes of a DynamoDB item, 8 in
 * Firestore's count), and the bytes left under the size limit in one string.
 */
export const heaviestAllowed = () => {
  // The list and the string are values too.
  const v: Array<number> = new Array(MAX_VALUES - 2).fill(1)
  return { v, s: "x".repeat(MAX_DOCUMENT_BYTES - JSON.stringify({ v, s: "" }).length) }
}
