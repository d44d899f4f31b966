/** For the bench children run with `node --expose-gc` to measure memory: what each of them needs. */
export const MB = 1024 * 1024

const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) throw new Error("run with node --expose-gc")

/** One full collection: what is still reachable afterwards is what the code holds. */
export const collect = (): void => gc()

/** Memory after two collections (the second frees what the first's finalizers let go). */
export const settle = (): NodeJS.MemoryUsage => {
  gc()
  gc()
  return process.memoryUsage()
}
