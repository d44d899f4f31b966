import { Effect } from "effect"
import type { HttpTarget } from "../support/processes.js"
import type { Agents } from "./scenarios.js"

/** One server of a round, with the agents the bench made on it and the revisions it holds. */
export interface Contestant {
  readonly target: HttpTarget
  readonly backend: string
  readonly agents: Agents
}

/**
 * The round's other servers stopped (SIGSTOP) while one server's continuous run measures its
 * tails, and continued (SIGCONT) once it ends, however it ends. They share its CPU (cpu.ts), and
 * idle is not still: a server whose load has just ended went on using up to 140 ms of CPU during
 * the next server's 6-s run (2 December; most likely collecting its heap), which lands in that
 * server's p99. Each server's tail is then its own, as with one fresh process per measurement.
 */
export const othersStopped = (others: ReadonlyArray<Contestant>) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      for (const other of others) process.kill(other.target.pid, "SIGSTOP")
    }),
    () =>
      Effect.sync(() => {
        for (const other of others) process.kill(other.target.pid, "SIGCONT")
      })
  )
