import { readdirSync, readFileSync } from "node:fs"
import { processCpuMs } from "../support/cpu.js"

const parentOf = (pid: string): number | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1])
  } catch {
    return undefined // gone meanwhile
  }
}

/** The process and its children (a cluster's primary and its workers), from /proc. */
export const processTree = (root: number): Array<number> => {
  const children = new Map<number, Array<number>>()
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue
    const parent = parentOf(entry)
    if (parent !== undefined) children.set(parent, [...(children.get(parent) ?? []), Number(entry)])
  }
  const tree = [root]
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []))
  return tree
}

/** CPU time (ms) used so far by each process of the tree, by pid. */
export const treeCpuMs = (root: number): Map<number, number> =>
  new Map(processTree(root).flatMap((pid) => {
    const ms = processCpuMs(pid)
    return ms === undefined ? [] : [[pid, ms] as const]
  }))

/** CPU time (ms) the tree used between two readings; processes born meanwhile count from zero. */
export const cpuBetween = (before: Map<number, number>, after: Map<number, number>): number =>
  [...after].reduce((sum, [pid, ms]) => sum + ms - (before.get(pid) ?? 0), 0)
