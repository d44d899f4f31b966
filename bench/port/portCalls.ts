// One client's calls of one operation against a backend this process starts, counted rather than
// timed: run by portInstructionBench.ts under valgrind, which counts the instructions. Starts the
// backend's server (a child process, which valgrind does not follow), loads the bench's
// documents through the adapter, makes BENCH_WARM calls and then BENCH_COUNT more in a counted
// window (bench/support/countedWindow.ts), one at a time as the port bench makes them.
// Args: <backend> <op> <client: adapter | raw>
// First, so that under callgrind its clock and ids are in place before any module reads them.
import { countedWindow } from "../support/countedWindow.js"
import { Effect } from "effect"
import type { BenchBackend } from "../backends/Backend.js"
import { backendNamed } from "../backends/byName.js"
import { BACKENDS, type BackendName } from "../options.js"
import { type Client, type PortOp, portClient, rawClient } from "./portBench.js"

const [backendName, op, clientName] = process.argv.slice(2) as [string, PortOp, "adapter" | "raw"]
const warm = Number(process.env.BENCH_WARM ?? 300)
const count = Number(process.env.BENCH_COUNT ?? 0)

const backendOf = (name: string): Effect.Effect<BenchBackend, Error> =>
  (BACKENDS as ReadonlyArray<string>).includes(name)
    ? backendNamed(name as BackendName)
    : Effect.fail(new Error(`unknown backend ${name}: ${BACKENDS.join(", ")}`))

const calls = (client: Client, n: number) => {
  const call = (client.calls as Record<PortOp, () => Effect.Effect<unknown, unknown> | Promise<unknown>>)[op]
  return client.promises
    ? Effect.promise(async () => {
      for (let i = 0; i < n; i++) await call()
    })
    : Effect.repeatN(Effect.suspend(() => call() as Effect.Effect<unknown, unknown>), n - 1).pipe(Effect.when(() => n > 0))
}

const program = Effect.scoped(Effect.gen(function*() {
  const backend = yield* Effect.flatMap(backendOf(backendName), (b) => b.start)
  const namespace = backend.namespace()
  const adapter = portClient(yield* backend.adapter(namespace))
  yield* adapter.load
  if (backend.raw === undefined) return yield* Effect.fail(new Error(`${backendName} has no raw client`))
  const client = clientName === "adapter" ? adapter : rawClient(yield* backend.raw(namespace))
  if (op === "save") yield* client.refresh
  yield* calls(client, warm)
  yield* Effect.promise(() => countedWindow(() => Effect.runPromise(calls(client, count))))
}))

Effect.runPromise(program).then(() => process.exit(0), (error) => {
  console.error(error)
  process.exit(1)
})
