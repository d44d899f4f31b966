import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { PROVIDERS } from "../../src/adapters/Providers.js"
import { canonicalJson } from "../../src/cli/Canonical.js"
import { emulatorFound } from "../support/firestoreEmulator.js"
import { fixtureCount, fixtures } from "./fixtures.js"
import { cli, freshBackend, seed, serversLayer } from "./support.js"

const available = PROVIDERS.filter((p) => p !== "firestore" || emulatorFound)
const pairs = available.flatMap((from) => available.filter((to) => to !== from).map((to) => [from, to] as const))

const sortedBodies = (docs: ReadonlyArray<Parameters<typeof canonicalJson>[0]>) => docs.map(canonicalJson).sort()

// Every ordered pair of backends, on one set of servers: copy everything, verify, and check the
// target's documents independently of verify.
layer(serversLayer(), { timeout: 180_000, excludeTestServices: true })("copy and verify between every pair of backends", (it) => {
  describe.each(pairs)("%s → %s", (from, to) => {
    it.scoped("copies every document of every collection, then verify finds them identical", () =>
      Effect.gen(function*() {
        const source = yield* freshBackend(from)
        const target = yield* freshBackend(to)
        yield* seed(source, fixtures)

        const copied = yield* cli(["copy", "--from-provider", from, "--to-provider", to, "--page-size", "2"], { source, target })
        expect(copied.exitCode, copied.err).toBe(0)
        const tallies = Object.fromEntries(copied.result.tallies.map((t) => [t.collection, t]))
        expect(Object.keys(tallies).sort()).toEqual(Object.keys(fixtures).sort())
        for (const [collection, docs] of Object.entries(fixtures)) {
          expect(tallies[collection], collection).toMatchObject({ read: docs.length, written: docs.length, skipped: 0, failed: 0 })
          const stored = yield* target.db.listAll(collection)
          expect(sortedBodies(stored), collection).toEqual(sortedBodies(docs))
        }
        expect(copied.out).toMatch(new RegExp(`total\\s+${fixtureCount}\\s+${fixtureCount}\\s+0\\s+0`))

        const verified = yield* cli(["verify", "--from-provider", from, "--to-provider", to], { source, target })
        expect(verified.exitCode, verified.out).toBe(0)
        expect(verified.out).toContain("identical")
        expect(verified.result.diffs.map((d) => [d.collection, d.sourceCount, d.targetCount])).toEqual(
          Object.keys(fixtures).sort().map((c) => [c, fixtures[c]!.length, fixtures[c]!.length])
        )
        for (const diff of verified.result.diffs) expect(diff.sourceDigest).toBe(diff.targetDigest)

        // Run again: nothing to write, nothing lost, nothing twice.
        const again = yield* cli(["copy", "--from-provider", from, "--to-provider", to], { source, target })
        expect(again.exitCode, again.err).toBe(0)
        expect(again.result.tallies.reduce((n, t) => n + t.skipped, 0)).toBe(fixtureCount)
        expect(again.result.tallies.reduce((n, t) => n + t.written, 0)).toBe(0)

        // One document changed in the target: verify names it and exits 2.
        yield* target.db.save("agents", "numbers-agent", { ...fixtures.agents![2]!, _id: undefined, name: "changed" })
        yield* target.db.save("demos", "only-in-target", { name: "extra" })
        yield* target.db.delete("users", "user-2")
        const differs = yield* cli(["verify", "--from-provider", from, "--to-provider", to], { source, target })
        expect(differs.exitCode).toBe(2)
        expect(differs.out).toContain("differs agents/numbers-agent")
        expect(differs.out).toContain("extra demos/only-in-target")
        expect(differs.out).toContain("missing users/user-2")
      }))
  })
})
