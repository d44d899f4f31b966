import { Effect } from "effect"
import { mkdtempSync, readdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { monotonicUs, type ProfileSummary, readProfile, summarizeProfile } from "../support/profile.js"
import { startDocport } from "../support/processes.js"
import { runLoad } from "./load.js"
import { newAgents, SCENARIOS, type ScenarioId, seedAgents } from "./scenarios.js"

/**
 * docport on memory under one scenario, with V8's CPU profiler on (outside the measured rounds,
 * whose figures it would slow): where the server's time goes while the load runs.
 */
export const profileDocport = (scenario: ScenarioId, connections: number, durationS: number) =>
  Effect.gen(function*() {
    const dir = mkdtempSync(join(tmpdir(), "docport-profile-"))
    const s = SCENARIOS.find((x) => x.id === scenario)!
    const window = yield* Effect.scoped(Effect.gen(function*() {
      const docport = yield* startDocport({ DATABASE_PROVIDER: "memory" }, { cpuProfileDir: dir })
      const agents = newAgents()
      yield* seedAgents(docport.url, agents, s.agents)
      yield* runLoad(docport.url, { scenario: s.id, agents }, { connections, durationS: Math.min(3, durationS) })
      const fromUs = monotonicUs()
      yield* runLoad(docport.url, { scenario: s.id, agents }, { connections, durationS })
      return { fromUs, toUs: monotonicUs() }
    }))
    // One profile per thread; the main thread's is the one numbered .0.
    const main = readdirSync(dir).filter((f) => /\.0\.\d+\.cpuprofile$/.test(f)).sort()[0]
    if (main === undefined) return yield* Effect.fail(new Error(`docport wrote no CPU profile into ${dir}`))
    return { file: join(dir, main), summary: summarizeProfile(readProfile(join(dir, main)), 25, window) as ProfileSummary }
  })
