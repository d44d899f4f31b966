const pathOf = (parent: string, key: string) => (parent === "" ? key : `${parent}.${key}`)

/** The path (`a.b[2].c`) of the first object key in a parsed JSON value for which `isHit` holds, or `undefined`. */
export const firstKeyPath = (value: unknown, isHit: (key: string) => boolean, path = ""): string | undefined => {
  if (value === null || typeof value !== "object") return undefined
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = firstKeyPath(value[i], isHit, `${path}[${i}]`)
      if (found !== undefined) return found
    }
    return undefined
  }
  for (const key of Object.keys(value)) {
    if (isHit(key)) return pathOf(path, key)
    const found = firstKeyPath((value as Record<string, unknown>)[key], isHit, pathOf(path, key))
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
