#!/usr/bin/env node
// Runs the docport CLI: the compiled dist/cli/main.js when a build made one, else the TypeScript
// sources through tsx (a dependency), so `npx docport` works in a clone right after `npm ci`.
import { existsSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const compiled = join(root, "dist", "cli", "main.js")

if (existsSync(compiled)) {
  await import(pathToFileURL(compiled).href)
} else {
  const { register } = await import("tsx/esm/api")
  register()
  await import(pathToFileURL(join(root, "src", "cli", "main.ts")).href)
}
