// Where a counted window's instructions go, by function or by module: reads the profiles that
// instructionBench.ts or portInstructionBench.ts keep with CALLGRIND_OUT=dir. valgrind knows the
// names of node's own code (V8's builtins, its runtime, GC and compiler, libuv); the JavaScript
// V8 compiled it sees only as addresses, which node names in /tmp/perf-<pid>.map (--perf-basic-prof),
// and a name in the bundled script is traced to its source module by esbuild's `// path` markers.
// Costs are self costs (callgrind's "exclusive"), per request or call when --per is given.
//
//   npx tsx bench/support/callgrindFunctions.ts dir/callgrind.<pid> [other] [--per=N] [--by=module] [--top=40]
//
// With two profiles it prints both and the difference, largest first: what the first runs that
// the second does not.
import { existsSync, readFileSync } from "node:fs"
import { basename, dirname, join } from "node:path"

interface CodeRange {
  readonly start: number
  readonly end: number
  readonly name: string
}

const perfMap = (pid: string): ReadonlyArray<CodeRange> => {
  const path = `/tmp/perf-${pid}.map`
  if (!existsSync(path)) return []
  return readFileSync(path, "utf8").split("\n").filter((line) => line !== "").map((line) => {
    const [start, size, ...name] = line.split(" ")
    return { start: parseInt(start!, 16), end: parseInt(start!, 16) + parseInt(size!, 16), name: name.join(" ") }
  })
}

// A code address's name: the latest code object made there (code space is reused as code dies).
const namer = (ranges: ReadonlyArray<CodeRange>) => (address: number) => {
  for (let i = ranges.length - 1; i >= 0; i--) {
    const range = ranges[i]!
    if (range.start <= address && address < range.end) return range.name
  }
  return "unnamed JIT code"
}

const bundles = new Map<string, (line: number) => string>()

/** The source module of each line of a bundle, from esbuild's `// path` markers (each bundle read once). */
const bundleModules = (path: string): (line: number) => string => {
  let modules = bundles.get(path)
  if (modules === undefined) bundles.set(path, modules = readBundleModules(path))
  return modules
}

const readBundleModules = (path: string): (line: number) => string => {
  if (!existsSync(path)) return () => "bundle"
  const starts: Array<[number, string]> = []
  readFileSync(path, "utf8").split("\n").forEach((text, i) => {
    const marker = /^\/\/ ((?:src|bench|node_modules)\/\S+)$/.exec(text)
    if (marker !== null) starts.push([i + 1, marker[1]!])
  })
  return (line) => {
    let found = "bundle"
    for (const [start, module] of starts) {
      if (start > line) break
      found = module
    }
    return found
  }
}

/** Self cost by function name, from a callgrind profile (name compression, call lines skipped). */
const selfCosts = (path: string): { readonly pid: string; readonly costs: Map<string, number> } => {
  const text = readFileSync(path, "utf8")
  const pid = /^pid: (\d+)$/m.exec(text)?.[1] ?? ""
  const names = new Map<string, string>()
  const costs = new Map<string, number>()
  let fn = ""
  let skipNext = false
  for (const line of text.split("\n")) {
    if (line.startsWith("fn=")) {
      const [, id, name] = /^fn=\((\d+)\)(?: (.*))?$/.exec(line) ?? []
      if (name !== undefined) names.set(id!, name)
      fn = names.get(id!) ?? line
    } else if (line.startsWith("cfn=")) {
      const [, id, name] = /^cfn=\((\d+)\)(?: (.*))?$/.exec(line) ?? []
      if (name !== undefined) names.set(id!, name)
    } else if (line.startsWith("calls=")) {
      skipNext = true
    } else if (/^[+\-*\d]/.test(line)) {
      if (skipNext) {
        skipNext = false
        continue
      }
      const cost = Number(line.split(" ")[1] ?? 0)
      costs.set(fn, (costs.get(fn) ?? 0) + cost)
    }
  }
  return { pid, costs }
}

const args = process.argv.slice(2)
const files = args.filter((a) => !a.startsWith("--"))
const option = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1]
const per = Number(option("per") ?? 1)
const top = Number(option("top") ?? 40)
const byModule = option("by") === "module"

// Node's compiled JavaScript becomes "function (module)"; V8 and the libraries keep their names.
const labelled = (path: string): Map<string, number> => {
  const { pid, costs } = selfCosts(path)
  const name = namer(perfMap(pid))
  const out = new Map<string, number>()
  for (const [fn, cost] of costs) {
    let label = fn
    const address = /^0x([0-9a-f]+)$/.exec(fn)
    if (address !== null) {
      const jit = name(parseInt(address[1]!, 16))
      const located = /^JS:[*~^+]?(\S*) (\S+?):(\d+):\d+$/.exec(jit)
      if (located === null) label = jit
      else {
        const [, fnName, file, line] = located
        const module = file!.includes("/node_modules/.cache/")
          ? bundleModules(join(dirname(path), basename(file!)))(Number(line))
          : file!.replace(/^file:\/\/.*?\/node_modules\//, "node_modules/")
        label = byModule ? module : `${fnName || "(anonymous)"} (${module}:${line})`
      }
    } else if (byModule) {
      label = fn.startsWith("Builtins_") ? "V8 builtins" : /v8::internal::(Scavenger|Sweeper|Heap|MarkCompact|Evacuat|Marking)/.test(fn) ? "V8 GC" : /v8::internal::compiler::|maglev|Turbo/.test(fn) ? "V8 compiler" : "V8 and node (C++)"
    }
    out.set(label, (out.get(label) ?? 0) + cost)
  }
  return out
}

const [a, b] = files.map(labelled)
if (a === undefined) {
  console.error("usage: callgrindFunctions.ts callgrind.<pid> [other callgrind.<pid>] [--per=N] [--by=module] [--top=40]")
  process.exit(2)
}
const total = (m: Map<string, number>) => [...m.values()].reduce((x, y) => x + y, 0)
const fmt = (n: number) => Math.round(n / per).toLocaleString("en").padStart(11)
if (b === undefined) {
  console.log(`${fmt(total(a))}  in all`)
  for (const [label, cost] of [...a].sort((x, y) => y[1] - x[1]).slice(0, top)) console.log(`${fmt(cost)}  ${label}`)
} else {
  console.log(`${"first".padStart(11)}  ${"second".padStart(11)}  ${"difference".padStart(11)}`)
  console.log(`${fmt(total(a))}  ${fmt(total(b))}  ${fmt(total(a) - total(b))}  in all`)
  const labels = new Set([...a.keys(), ...b.keys()])
  const rows = [...labels].map((l) => [l, a.get(l) ?? 0, b.get(l) ?? 0] as const).sort((x, y) => Math.abs(y[1] - y[2]) - Math.abs(x[1] - x[2]))
  for (const [label, x, y] of rows.slice(0, top)) console.log(`${fmt(x)}  ${fmt(y)}  ${fmt(x - y)}  ${label}`)
}
