import { readFileSync } from "node:fs"

interface ProfileNode {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
  readonly children?: ReadonlyArray<number>
}

export interface CpuProfile {
  readonly startTime: number
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

export interface ProfileLine {
  readonly name: string
  readonly ms: number
  readonly share: number
}

export interface ProfileSummary {
  readonly totalMs: number
  readonly idleMs: number
  /** Self time by where the code lives: docport's src, effect, @effect/platform, node internals... */
  readonly byArea: ReadonlyArray<ProfileLine>
  /** Self time by function. */
  readonly topFunctions: ReadonlyArray<ProfileLine>
  /** Total (inclusive) time of docport's own functions. */
  readonly docportInclusive: ReadonlyArray<ProfileLine>
  /** Total (inclusive) time of any function. */
  readonly inclusive: ReadonlyArray<ProfileLine>
}

const area = (url: string, functionName: string): string => {
  if (url === "") return functionName.startsWith("(") ? functionName : "(native)"
  if (url.includes("/node_modules/")) {
    const rest = url.slice(url.lastIndexOf("/node_modules/") + 14)
    const parts = rest.split("/")
    return parts[0]!.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]!
  }
  if (url.startsWith("node:")) return "node internals"
  const src = url.indexOf("/src/")
  return src >= 0 ? `docport ${url.slice(src + 1).split("/").slice(0, 2).join("/")}` : url
}

const shortUrl = (url: string) => {
  const cut = url.lastIndexOf("/node_modules/")
  if (cut >= 0) return url.slice(cut + 14)
  const src = url.indexOf("/src/")
  return src >= 0 ? url.slice(src + 1) : url.replace(/^file:\/\//, "")
}

const top = (totals: Map<string, number>, totalMs: number, n: number): Array<ProfileLine> =>
  [...totals].sort((a, b) => b[1] - a[1]).slice(0, n).map(([name, ms]) => ({ name, ms, share: ms / totalMs }))

/** A stretch of CLOCK_MONOTONIC time in microseconds, the clock of V8's profiles and process.hrtime. */
export interface Window {
  readonly fromUs: number
  readonly toUs: number
}

export const monotonicUs = () => Number(process.hrtime.bigint() / 1000n)

export const readProfile = (path: string): CpuProfile => JSON.parse(readFileSync(path, "utf8")) as CpuProfile

/** Where a V8 CPU profile (node --cpu-prof, or the inspector's) spent its time, within the window if one is given. */
export const summarizeProfile = (profile: CpuProfile, n = 25, window?: Window): ProfileSummary => {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const self = new Map<number, number>()
  let clock = profile.startTime
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0
    clock += delta
    if (window !== undefined && (clock < window.fromUs || clock > window.toUs)) return
    self.set(id, (self.get(id) ?? 0) + delta / 1000)
  })

  const areas = new Map<string, number>()
  const functions = new Map<string, number>()
  const docport = new Map<string, number>()
  const inclusive = new Map<string, number>()
  let totalMs = 0
  let idleMs = 0
  for (const [id, ms] of self) {
    const node = byId.get(id)!
    const { functionName, lineNumber, url } = node.callFrame
    totalMs += ms
    if (functionName === "(idle)") {
      idleMs += ms
      continue
    }
    const where = area(url, functionName)
    areas.set(where, (areas.get(where) ?? 0) + ms)
    const fn = `${functionName || "(anonymous)"} ${shortUrl(url)}:${lineNumber + 1}`
    functions.set(fn, (functions.get(fn) ?? 0) + ms)
    // Charge the sample once to every distinct function on its stack.
    const seen = new Set<string>()
    for (let node: number | undefined = id; node !== undefined; node = parent.get(node)) {
      const frame = byId.get(node)!.callFrame
      if (frame.functionName === "(root)") continue
      const key = `${frame.functionName || "(anonymous)"} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`
      if (seen.has(key)) continue
      seen.add(key)
      inclusive.set(key, (inclusive.get(key) ?? 0) + ms)
      if (frame.url.includes("/src/") && !frame.url.includes("/node_modules/")) docport.set(key, (docport.get(key) ?? 0) + ms)
    }
  }
  const busyMs = totalMs - idleMs
  return {
    totalMs,
    idleMs,
    byArea: top(areas, busyMs, n),
    topFunctions: top(functions, busyMs, n),
    docportInclusive: top(docport, busyMs, n),
    inclusive: top(inclusive, busyMs, n)
  }
}

export const formatProfile = (summary: ProfileSummary): string => {
  const lines = (title: string, rows: ReadonlyArray<ProfileLine>) => [
    title,
    ...rows.map((r) => `  ${(r.share * 100).toFixed(1).padStart(5)}%  ${r.ms.toFixed(0).padStart(6)} ms  ${r.name}`)
  ]
  return [
    `profile: ${summary.totalMs.toFixed(0)} ms sampled, ${summary.idleMs.toFixed(0)} ms idle; shares are of the busy time`,
    ...lines("self time by area:", summary.byArea),
    ...lines("self time by function:", summary.topFunctions),
    ...lines("inclusive time of docport's functions:", summary.docportInclusive),
    ...lines("inclusive time of any function:", summary.inclusive)
  ].join("\n")
}
