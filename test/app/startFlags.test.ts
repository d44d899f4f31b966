import { describe, expect, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { START_FLAGS } from "../../bench/support/processes.js"

const start = (JSON.parse(readFileSync("package.json", "utf8")) as { scripts: { start: string } }).scripts.start

// An operator who runs dist/server/main.js without npm (a container's entry point) copies the
// README's command line; it must be npm start's, flag for flag.
describe("npm start's node flags (package.json)", () => {
  it("are the command line the README gives for running dist/server/main.js", () => {
    expect(readFileSync("README.md", "utf8")).toContain(`\`${start.replace(/^exec /, "")}\``)
  })

  it("are each known to this node (an unknown V8 flag stops node with 'bad option')", () => {
    expect(START_FLAGS.length).toBeGreaterThan(0)
    for (const flag of START_FLAGS) execFileSync(process.execPath, [flag, "-e", "0"], { stdio: "pipe" })
  }, 30_000)
})
