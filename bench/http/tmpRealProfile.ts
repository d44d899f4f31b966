import { Effect } from "effect"
import { mkdtempSync, readdirSync, renameSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { startBuiltDocport, startHttpApiBaseline, buildDocport } from "../support/processes.js"
import { runLoad } from "./load.js"
import { newAgents, SCENARIOS, seedAgents } from "./scenarios.js"

const scenario = SCENARIOS.find((x) => x.id === (process.argv[2] ?? "get"))!
const main = Effect.gen(function*() {
  yield* buildDocport
  for (const [name, start] of [["docport", startBuiltDocport({ DATABASE_PROVIDER: "memory" }, { cpuProfileDir: "" })], ["httpapi", startHttpApiBaseline({ cpuProfileDir: "" })]] as const) {
    const dir = mkdtempSync(join(tmpdir(), "rp-"))
    const s = name === "docport" ? startBuiltDocport({ DATABASE_PROVIDER: "memory" }, { cpuProfileDir: dir }) : startHttpApiBaseline({ cpuProfileDir: dir })
    void start
    const r = yield* Effect.scoped(Effect.gen(function*() {
      const server = yield* s
      const agents = newAgents()
      yield* seedAgents(server.url, agents, scenario.agents)
      yield* runLoad(server.url, scenario.requests(agents), { connections: 32, durationS: 3 })
      return yield* runLoad(server.url, scenario.requests(agents), { connections: 32, durationS: 8, serverPid: server.pid })
    }))
    console.log(name, r.rps.toFixed(0), "req/s", r.cpuUsPerRequest.toFixed(0), "µs/req", r.requests, "requests")
    yield* Effect.sleep("1 second")
    const file = readdirSync(dir).filter((f) => /\.0\.\d+\.cpuprofile$/.test(f)).sort()[0]!
    renameSync(join(dir, file), `/tmp/real-${name}-${scenario.id}.cpuprofile`)
  }
})
Effect.runPromise(main).then(() => process.exit(0), (e) => { console.error(e); process.exit(1) })
