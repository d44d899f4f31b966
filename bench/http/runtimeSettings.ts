/**
 * The Effect runtime's own settings that issue 15 asks about (tracer timing, spans when nothing
 * exports them, the logger, the scheduler), each as a change to the runtime a server runs its
 * requests in, for bench/http/appCostBench.ts (BENCH_RUNTIME=name,...).
 */
import { FiberRef, HashSet, Runtime, RuntimeFlags, Scheduler } from "effect"

type Setting = (runtime: Runtime.Runtime<never>) => Runtime.Runtime<never>

// Effect's default scheduler keeps a task runner per fiber (a WeakMap entry and a runner object for
// every request fiber that goes asynchronous once); these hand tasks straight to the microtask
// queue, one microtask per task or one per batch of the whole process.
const perTask = Scheduler.make((task) => queueMicrotask(task))

const batched = (() => {
  let pending: Array<() => void> = []
  const drain = () => {
    // Tasks scheduled while the batch runs go into the next microtask, as the default does.
    const tasks = pending
    pending = []
    for (const task of tasks) task()
  }
  return Scheduler.make((task) => {
    if (pending.push(task) === 1) queueMicrotask(drain)
  })
})()

export const RUNTIME_SETTINGS: Record<string, Setting> = {
  /** Spans keep no start and end times (Effect.withTracerTiming(false)). */
  "tracer-timing-off": (runtime) => Runtime.setFiberRef(runtime, FiberRef.currentTracerTimingEnabled, false),
  /** No spans at all (Effect.withTracerEnabled(false)): docport then loses its route labels and request ids in log lines. */
  "tracer-off": (runtime) => Runtime.setFiberRef(runtime, FiberRef.currentTracerEnabled, false),
  /** No Effect logger (access lines bypass Effect's loggers in docport, so what remains is every other line). */
  "loggers-off": (runtime) => Runtime.setFiberRef(runtime, FiberRef.currentLoggers, HashSet.empty()),
  /** A fiber never yields to others after 2,048 steps. */
  "no-cooperative-yielding": (runtime) => Runtime.disableRuntimeFlag(runtime, RuntimeFlags.CooperativeYielding),
  "scheduler-microtask-per-task": (runtime) => Runtime.setFiberRef(runtime, FiberRef.currentScheduler, perTask),
  "scheduler-one-batch": (runtime) => Runtime.setFiberRef(runtime, FiberRef.currentScheduler, batched)
}

export const runtimeSetting = (name: string): Setting => {
  const setting = RUNTIME_SETTINGS[name]
  if (setting === undefined) throw new Error(`unknown runtime setting ${name}: ${Object.keys(RUNTIME_SETTINGS).join(", ")}`)
  return setting
}
