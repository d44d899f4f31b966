import { DocumentReference, GeoPoint, Timestamp } from "firebase-admin/firestore"

/**
 * How JSON is stored in Firestore so that it comes back exactly. Firestore refuses three things
 * JSON allows: an array directly inside an array, an empty map key and keys shaped `__name__`.
 * An inner array is stored as a map holding it under NESTED_ARRAY; a key that is empty, starts
 * with `~` or looks like `__name__` gets a `~` in front. No escaped user key can equal
 * NESTED_ARRAY (only keys starting with `~` or `__` get the prefix), so decoding is unambiguous.
 */
const NESTED_ARRAY = "~[]"
const ESCAPE = "~"
const RESERVED_KEY = /^__.*__$/

const escapeKey = (key: string): string =>
  key === "" || key.startsWith(ESCAPE) || RESERVED_KEY.test(key) ? `${ESCAPE}${key}` : key

const unescapeKey = (key: string): string => (key.startsWith(ESCAPE) ? key.slice(1) : key)

const encodeValue = (value: unknown, insideArray: boolean): unknown => {
  if (Array.isArray(value)) {
    const items = value.map((item) => encodeValue(item, true))
    return insideArray ? { [NESTED_ARRAY]: items } : items
  }
  if (value !== null && typeof value === "object") {
    // fromEntries defines own properties, so a key such as "__proto__" stays data.
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [escapeKey(key), encodeValue(item, false)]))
  }
  return value
}

/**
 * A JSON body as Firestore stores it. Its nesting fits Firestore's 20 levels: the port's shared
 * limit counts an array inside an array twice, as this encoding does.
 */
export const encodeBody = (body: Record<string, unknown>): Record<string, unknown> => encodeValue(body, false) as Record<string, unknown>

/** Values only other writers store (docport writes JSON alone) are given their JSON form. */
const decodeValue = (value: unknown): unknown => {
  if (value === null || typeof value !== "object") return value
  if (Array.isArray(value)) return value.map(decodeValue)
  if (value instanceof Timestamp) return value.toDate().toISOString()
  if (value instanceof GeoPoint) return { latitude: value.latitude, longitude: value.longitude }
  if (value instanceof DocumentReference) return value.path
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64")
  const entries = Object.entries(value)
  if (entries.length === 1 && entries[0]![0] === NESTED_ARRAY && Array.isArray(entries[0]![1])) {
    return entries[0]![1].map(decodeValue)
  }
  return Object.fromEntries(entries.map(([key, item]) => [unescapeKey(key), decodeValue(item)]))
}

export const decodeBody = (data: Record<string, unknown> | undefined): Record<string, unknown> =>
  data === undefined ? {} : decodeValue(data) as Record<string, unknown>

/** A revision is the document's update time, to the nanosecond: Firestore moves it on every change. */
export const revisionOf = (updateTime: Timestamp): string =>
  `${updateTime.seconds}.${String(updateTime.nanoseconds).padStart(9, "0")}`

/** The update time a revision names, or undefined when the string was never one of ours (it matches nothing). */
export const updateTimeOf = (revision: string): Timestamp | undefined => {
  const match = /^(\d{1,12})\.(\d{9})$/.exec(revision)
  if (match === null) return undefined
  try {
    return new Timestamp(Number(match[1]), Number(match[2]))
  } catch {
    return undefined
  }
}
