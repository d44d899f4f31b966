// The counted process's side of callgrind.ts's window: valgrind starts it with instrumentation off,
// and it asks its driver, over the socket the driver gave it as fd 3, to switch instrumentation
// on before the work to count and off after it. It waits for each answer idle in its event loop,
// so the wait runs no instructions of its own; what a window holds besides the work is this
// exchange (1.5 - 1.9 M instructions, measured with an empty window).
// Kept apart from callgrind.ts so that a bundled script carries none of the driver's code.
import crypto from "node:crypto"
import { syncBuiltinESMExports } from "node:module"
import { Socket } from "node:net"

let channel: Socket | undefined
let answered: (() => void) | undefined

const ask = (state: "on" | "off") =>
  new Promise<void>((resolve) => {
    if (channel === undefined) {
      channel = new Socket({ fd: 3, readable: true, writable: true })
      channel.setEncoding("utf8")
      channel.on("data", () => {
        const done = answered
        answered = undefined
        done?.()
      })
    }
    answered = resolve
    channel.write(`${state}\n`)
  })

/**
 * Under callgrind the process runs the same from one run to the next: every clock it reads advances
 * by one microsecond a reading instead of with the wall (a slowed process would otherwise format
 * other durations and make other metric updates), and its ids count up instead of being drawn (a
 * `Map` of other keys hashes them into other buckets).
 */
const repeatable = () => {
  const start = Date.now()
  let micros = 0
  const tick = () => ++micros
  performance.now = () => tick() / 1000
  Date.now = () => start + Math.floor(tick() / 1000)
  process.hrtime.bigint = () => BigInt(tick()) * 1000n
  let drawn = 0
  crypto.randomUUID = () => `00000000-0000-4000-8000-${(++drawn).toString(16).padStart(12, "0")}`
  syncBuiltinESMExports()
}

const counting = process.env.CALLGRIND_WINDOW === "fd3"
if (counting) repeatable()

const turn = () => new Promise<void>((resolve) => setImmediate(resolve))

/** Runs `work` with valgrind's instrumentation on, when callgrind.ts runs this process; just runs it otherwise. */
export const countedWindow = async <A>(work: () => Promise<A>): Promise<A> => {
  if (!counting) return work()
  // A turn of the event loop on either side, so that what the work before left for the loop
  // (a batch of log lines) runs before the window, and what this work leaves runs inside it.
  await turn()
  await ask("on")
  const result = await work()
  await turn()
  await ask("off")
  channel?.destroy()
  return result
}
