// Module hooks for the bench process. test/support/firestoreEmulator.ts (whose emulator starter the
// bench reuses) also defines a vitest helper and so imports @effect/vitest, which throws when
// imported outside a vitest run. Only for that importer, @effect/vitest resolves to a module whose
// describe/it refuse to be called; the emulator starter never calls them.
const STUB = "data:text/javascript," + encodeURIComponent(
  "const refuse = () => { throw new Error('vitest is not running: this is the bench') };" +
    "export const describe = Object.assign(refuse, { skip: refuse }); export const it = refuse;"
)

export async function resolve(specifier, context, nextResolve) {
  if (specifier === "@effect/vitest" && (context.parentURL ?? "").includes("/test/support/")) {
    return { url: STUB, shortCircuit: true }
  }
  return nextResolve(specifier, context)
}
