import cluster, { type Worker } from "node:cluster"
import { Clock, Data, Deferred, Duration, Effect, Fiber, Runtime, Schedule } from "effect"
import { ShutdownTimeout } from "./GracefulServer.js"
import { type MetricsGathering, makeMetricsGathering } from "./observability/MetricsGathering.js"
import { WORKER_READY, WORKER_SLOT } from "./Workers.js"

/** A worker of the first start exited before it served: the configuration or the backend is wrong, not the process. */
export class WorkerDidNotStart extends Data.TaggedError("WorkerDidNotStart")<{ readonly slot: number; readonly ended: string }> {
  override get message() {
    return `worker ${this.slot} ${this.ended} before it was serving (its own lines above say why)`
  }
}

interface Life {
  readonly pid: number
  readonly served: boolean
  readonly startedAt: number
  readonly ended: string
}

// A worker that served this long before it died is restarted at once again: the back-off is
// there for a worker that cannot start, not to punish one crash a day.
const HEALTHY_LIFE_MS = 30_000
// Beyond its SHUTDOWN_TIMEOUT a worker exits by itself; the primary waits a little longer before SIGKILL.
const STOP_MARGIN_MS = 2_000

const backoff = Schedule.exponential("200 millis").pipe(
  Schedule.modifyDelay((_, delay) => Duration.min(delay, Duration.seconds(10)))
)

const describeEnd = (code: number | null, signal: string | null) =>
  signal !== null ? `was killed by ${signal}` : `exited with code ${code}`

/**
 * One worker process in a slot, from fork to exit. Interrupting it is the graceful stop: SIGTERM,
 * the worker drains as a single server does, and the interruption completes when it has exited
 * (SIGKILL if it is still there after its own shutdown timeout and a margin).
 */
const life = (slot: number, stopAfter: Duration.Duration, metrics: MetricsGathering, onServing: (pid: number) => void) =>
  Effect.flatMap(Clock.currentTimeMillis, (startedAt) =>
    Effect.async<Life>((resume) => {
      const worker: Worker = cluster.fork({ [WORKER_SLOT]: String(slot) })
      const pid = worker.process.pid ?? 0
      let served = false
      // An IPC failure is followed by an exit, which is what the slot waits for.
      worker.on("error", () => {})
      worker.on("message", (message: unknown) => {
        if (message !== WORKER_READY) return metrics.onMessage(worker, message)
        if (served) return
        served = true
        metrics.serving(worker)
        onServing(pid)
      })
      worker.once("exit", (code, signal) => {
        metrics.gone(worker)
        resume(Effect.succeed({ pid, served, startedAt, ended: describeEnd(code, signal) }))
      })
      return Effect.async<boolean>((stopped) => {
        if (worker.isDead()) return stopped(Effect.succeed(false))
        const timer = setTimeout(() => worker.process.kill("SIGKILL"), Duration.toMillis(stopAfter) + STOP_MARGIN_MS)
        worker.once("exit", (_code, signal) => {
          clearTimeout(timer)
          stopped(Effect.succeed(signal === "SIGKILL"))
        })
        worker.process.kill("SIGTERM")
      }).pipe(Effect.flatMap((killed) => killed ? Effect.logWarning(`worker ${slot} (pid ${pid}) did not stop in time: killed`) : Effect.void))
    })
  )

/**
 * A slot keeps one worker alive: the first must start (else the whole start fails), and any that
 * dies later is replaced after a back-off that grows while replacements keep dying young.
 */
const keepAlive = (
  slot: number,
  stopAfter: Duration.Duration,
  metrics: MetricsGathering,
  started: Deferred.Deferred<number, WorkerDidNotStart>
) =>
  Effect.gen(function*() {
    const first = yield* life(slot, stopAfter, metrics, (pid) => Deferred.unsafeDone(started, Effect.succeed(pid)))
    if (!first.served) return yield* Deferred.fail(started, new WorkerDidNotStart({ slot, ended: first.ended }))
    const delays = yield* Schedule.driver(backoff)
    // The worker's events arrive in node callbacks; this runtime logs them with the primary's logger.
    const log = Runtime.runFork(yield* Effect.runtime<never>())
    let last = first
    while (true) {
      const now = yield* Clock.currentTimeMillis
      if (last.served && now - last.startedAt >= HEALTHY_LIFE_MS) yield* delays.reset
      yield* Effect.logWarning(`worker ${slot} (pid ${last.pid}) ${last.ended}; starting another`)
      // The back-off never ends; were it to, the replacement would simply start now.
      yield* Effect.ignore(delays.next(undefined))
      last = yield* life(slot, stopAfter, metrics, (pid) => log(Effect.logInfo(`worker ${slot} replaced: pid ${pid} serving`)))
    }
  })

/**
 * The primary of WORKERS processes sharing one port (node:cluster hands each new connection to
 * the next worker in turn). It serves nothing itself. On SIGTERM or SIGINT every worker drains
 * as a single server does, then the primary exits 0.
 */
export const primary = (workers: number) =>
  Effect.scoped(Effect.gen(function*() {
    const stopAfter = yield* ShutdownTimeout
    // As a single server does: a repeated signal (npm passing on its group's) must not kill the
    // primary mid-drain, which would end every worker at once through their IPC channel.
    const ignoreRepeats = () => {}
    process.on("SIGTERM", ignoreRepeats)
    process.on("SIGINT", ignoreRepeats)
    const slots = Array.from({ length: workers }, (_, i) => i + 1)
    const metrics = makeMetricsGathering()
    const started = yield* Effect.forEach(slots, () => Deferred.make<number, WorkerDidNotStart>())
    const fibers = yield* Effect.forEach(slots, (slot) => Effect.forkScoped(keepAlive(slot, stopAfter, metrics, started[slot - 1]!)))
    const pids = yield* Effect.forEach(started, Deferred.await)
    yield* Effect.logInfo(`${workers} workers serving (pids ${pids.join(", ")})`)
    yield* Fiber.joinAll(fibers)
  })).pipe(
    Effect.annotateLogs("worker", "primary"),
    Effect.onInterrupt(() => Effect.logInfo("docport stopped: every worker has exited").pipe(Effect.annotateLogs("worker", "primary")))
  )
