/**
 * `npx tsx bench/port/callWrapperBench.ts`: what wrapping one SDK promise costs, with no server:
 * `Effect.tryPromise` + `Effect.timeoutFail` (the adapters' wrapper before issue 15's item 4, two
 * forked fibers and a second timer per call) against `boundedCall` (one timer, one abort signal, no
 * fiber), side by side in alternating bursts, as CPU per call and their ratio.
 */
import { Duration, Effect } from "effect"
import { abortController, boundedCall } from "../../src/ports/DatabaseTimeout.js"
import { median } from "../support/stats.js"

const timeout = Duration.seconds(2)
const answer = { ok: true }
// An SDK call that answers on the next turn of the microtask queue, and watches its signal as SDKs do.
const sdk = (signal: AbortSignal) => {
  const onAbort = () => {}
  signal.addEventListener("abort", onAbort, { once: true })
  return Promise.resolve(answer).finally(() => signal.removeEventListener("abort", onAbort))
}

const wrappers = {
  "tryPromise + timeoutFail": () =>
    Effect.tryPromise({ try: sdk, catch: (cause) => new Error(String(cause)) }).pipe(
      Effect.timeoutFail({ duration: timeout, onTimeout: () => new Error("timed out") })
    ),
  boundedCall: () =>
    boundedCall({ timeout, abortable: abortController, try: sdk, catch: (cause) => new Error(String(cause)), onTimeout: () => new Error("timed out") })
}
type Name = keyof typeof wrappers

const CALLS = 20_000
const burst = (name: Name) =>
  Effect.suspend(() => {
    const cpu = process.cpuUsage()
    const make = wrappers[name]
    return Effect.as(
      Effect.repeatN(make(), CALLS - 1),
      undefined
    ).pipe(Effect.map(() => {
      const used = process.cpuUsage(cpu)
      return (used.user + used.system) / CALLS
    }))
  })

const main = Effect.gen(function*() {
  const names = Object.keys(wrappers) as Array<Name>
  for (const name of names) yield* burst(name)
  const perCall: Record<Name, Array<number>> = { "tryPromise + timeoutFail": [], boundedCall: [] }
  const ratios: Array<number> = []
  for (let round = 0; round < 10; round++) {
    const order = round % 2 === 0 ? names : [...names].reverse()
    const got: Partial<Record<Name, number>> = {}
    for (const name of order) got[name] = yield* burst(name)
    for (const name of names) perCall[name].push(got[name]!)
    ratios.push(got.boundedCall! / got["tryPromise + timeoutFail"]!)
  }
  for (const name of names) console.log(`${name.padEnd(26)} ${median(perCall[name]).toFixed(2)} µs CPU per call (median of 10 bursts of ${CALLS})`)
  console.log(`boundedCall / tryPromise + timeoutFail: ${median(ratios).toFixed(2)} (median of the bursts' ratios)`)
})

Effect.runPromise(main)
