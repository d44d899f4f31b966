/**
 * How fast each CPU of this machine runs, second by second, with nothing of docport involved: one
 * process per CPU, pinned to it (taskset), repeats a fixed piece of work and counts how many it
 * finishes. On a machine of its own every CPU keeps one speed. On this shared one, work that
 * reaches for memory (random reads and writes over 64 MB, as a server's heap and its collector
 * do) drops to about half speed on one CPU at a time for seconds on end, while arithmetic in
 * registers keeps its speed: a benchmark that measures one server after another reads that as a
 * difference between the servers.
 *
 *   npx tsx bench/machine/cpuSpeed.ts [seconds, default 60] [--kind=memory|arithmetic]
 *
 * Run it on an otherwise idle machine: anything else running takes its CPU time from the probes.
 */
import { spawn } from "node:child_process"
import { createInterface } from "node:readline"
import { allowedCpus, hasTaskset } from "../support/cpu.js"
import { median, quantile } from "../support/stats.js"

// The probe: fixed units of work; every 250 ms, the units done. A memory unit is 20,000 random
// read-modify-writes over a 64 MB array (far beyond any cache), an arithmetic unit 200,000 steps
// of a generator that stays in registers.
const PROBE = `
let x = 1, units = 0
const big = new Int32Array(16 * 1024 * 1024)
const unit = process.env.PROBE_KIND === "memory"
  ? () => { for (let i = 0; i < 20000; i++) { x = (Math.imul(x, 1103515245) + 12345) | 0; big[(x >>> 8) & (big.length - 1)] += 1 } }
  : () => { for (let i = 0; i < 200000; i++) x = (Math.imul(x, 1103515245) + 12345) | 0 }
setInterval(() => { process.stdout.write(units + "\\n"); units = 0 }, 250)
const spin = () => { const end = Date.now() + 20; while (Date.now() < end) { unit(); units++ } setImmediate(spin) }
spin()
`

const flags = process.argv.slice(2).filter((a) => a.startsWith("--"))
const kind = flags.find((f) => f.startsWith("--kind="))?.slice("--kind=".length) ?? "memory"
if (kind !== "memory" && kind !== "arithmetic") {
  console.error("--kind takes memory or arithmetic")
  process.exit(2)
}
const seconds = Number(process.argv.slice(2).find((a) => !a.startsWith("--")) ?? 60)
if (!Number.isFinite(seconds) || seconds <= 0) {
  console.error("usage: tsx bench/machine/cpuSpeed.ts [seconds] [--kind=memory|arithmetic]")
  process.exit(2)
}
if (!hasTaskset()) {
  console.error("taskset (util-linux) is needed to pin a probe to each CPU")
  process.exit(2)
}

const allowed = allowedCpus()
const cpus = allowed.length
// Per CPU, per quarter second: units finished.
const samples: Array<Array<number>> = Array.from({ length: cpus }, () => [])
const probes = allowed.map((cpu, c) => {
  const child = spawn("taskset", ["-c", String(cpu), process.execPath, "-e", PROBE], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, PROBE_KIND: kind }
  })
  createInterface({ input: child.stdout }).on("line", (line) => samples[c]!.push(Number(line)))
  return child
})

setTimeout(() => {
  for (const probe of probes) probe.kill()
  // Whole seconds, skipping the first (start-up and compilation).
  const perSecond = samples.map((quarters) =>
    Array.from({ length: Math.floor(quarters.length / 4) }, (_, s) => quarters.slice(4 * s, 4 * s + 4).reduce((a, b) => a + b, 0)).slice(1)
  )
  const n = Math.min(...perSecond.map((s) => s.length))
  // Each CPU against its own fast seconds (the 90th percentile), so that 1.00 is full speed.
  const tops = perSecond.map((s) => quantile([...s].sort((a, b) => a - b), 0.9))
  console.log(`${kind} probe; second  ${allowed.map((cpu) => `cpu${cpu}`.padStart(6)).join(" ")}   (speed against the CPU's own 90th percentile)`)
  for (let s = 0; s < n; s++) {
    const cells = perSecond.map((p, c) => (p[s]! / tops[c]!).toFixed(2).padStart(6))
    const slow = perSecond.some((p, c) => p[s]! / tops[c]! < 0.75) ? "  slow" : ""
    console.log(`${String(s + 2).padStart(6)}  ${cells.join(" ")}${slow}`)
  }
  for (let c = 0; c < cpus; c++) {
    const speeds = perSecond[c]!.slice(0, n).map((u) => u / tops[c]!)
    let longest = 0
    let run = 0
    for (const v of speeds) longest = Math.max(longest, (run = v < 0.75 ? run + 1 : 0))
    const slowShare = speeds.filter((v) => v < 0.75).length / n
    console.log(
      `cpu${allowed[c]}: median speed ${median(speeds).toFixed(2)}, slowest second ${Math.min(...speeds).toFixed(2)}, ` +
        `${(slowShare * 100).toFixed(0)} % of seconds below 0.75, longest such stretch ${longest} s`
    )
  }
  process.exit(0)
}, (seconds + 1) * 1000)
