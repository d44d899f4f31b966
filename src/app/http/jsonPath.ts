const pathOf = (parent: string, key: string) => (parent === "" ? key : `${parent}.${key}`)

/**
 * The path (`a.b[2].c`) of the first place in a parsed JSON value where `keyHit` holds for an
 * object's key or `valueHit` for a value that is neither object nor array, or `undefined`.
 */
export const firstPath = (
  value: unknown,
  hit: { readonly key?: (key: string) => boolean; readonly value?: (value: unknown) => boolean },
  path = ""
): string | undefined => {
  if (value === null || typeof value !== "object") return hit.value?.(value) === true ? path : undefined
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = firstPath(value[i], hit, `${path}[${i}]`)
      if (found !== undefined) return found
    }
    return undefined
  }
  for (const key of Object.keys(value)) {
    if (hit.key?.(key) === true) return pathOf(path, key)
    const found = firstPath((value as Record<string, unknown>)[key], hit, pathOf(path, key))
    if (found !== undefined) return found
  }
  return undefined
}

/** The text parsed, or `undefined` when it is not JSON (the platform's own parse answers that). */
export const parsedOrUndefined = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
