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

const isPlain = (value: object): boolean => {
  const prototype = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}

// Copy on write: a value that needs no change (most keys need no escape, most arrays sit in
// objects) is handed to the SDK as it is, instead of every document being rebuilt on every call.
const encodeValue = (value: unknown, insideArray: boolean): unknown => {
  if (Array.isArray(value)) {
    let items: Array<unknown> | undefined
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i]
      const encoded = encodeValue(item, true)
      if (items === undefined && encoded !== item) items = value.slice(0, i)
      items?.push(encoded)
    }
    const encoded = items ?? value
    return insideArray ? { [NESTED_ARRAY]: encoded } : encoded
  }
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>
    const keys = Object.keys(record)
    // Anything but a plain object is rebuilt as one, as before.
    let entries: Array<[string, unknown]> | undefined = isPlain(value) ? undefined : []
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!
      const item = record[key]
      const escaped = escapeKey(key)
      const encoded = encodeValue(item, false)
      if (entries === undefined && (escaped !== key || encoded !== item)) entries = keys.slice(0, i).map((k) => [k, record[k]])
      entries?.push([escaped, encoded])
    }
    // fromEntries defines own properties, so a key such as "__proto__" stays data.
    return entries === undefined ? value : Object.fromEntries(entries)
  }
  return value
}

/**
 * A JSON body as Firestore stores it. Its nesting fits Firestore's 20 levels: the port's shared
 * limit counts an array inside an array twice, as this encoding does.
 */
export const encodeBody = (body: Record<string, unknown>): Record<string, unknown> => encodeValue(body, false) as Record<string, unknown>

/** Values only other writers store (docport writes JSON alone) are given their JSON form. Copy on write, as encoding. */
const decodeValue = (value: unknown): unknown => {
  if (value === null || typeof value !== "object") return value
  if (Array.isArray(value)) {
    let items: Array<unknown> | undefined
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i]
      const decoded = decodeValue(item)
      if (items === undefined && decoded !== item) items = value.slice(0, i)
      items?.push(decoded)
    }
    return items ?? value
  }
  if (value instanceof Timestamp) return value.toDate().toISOString()
  if (value instanceof GeoPoint) return { latitude: value.latitude, longitude: value.longitude }
  if (value instanceof DocumentReference) return value.path
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64")
  const record = value as Record<string, unknown>
  const keys = Object.keys(record)
  if (keys.length === 1 && keys[0] === NESTED_ARRAY && Array.isArray(record[NESTED_ARRAY])) {
    return decodeValue(record[NESTED_ARRAY])
  }
  let entries: Array<[string, unknown]> | undefined
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!
    const item = record[key]
    const unescaped = unescapeKey(key)
    const decoded = decodeValue(item)
    if (entries === undefined && (unescaped !== key || decoded !== item)) entries = keys.slice(0, i).map((k) => [k, record[k]])
    entries?.push([unescaped, decoded])
  }
  return entries === undefined ? value : Object.fromEntries(entries)
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
