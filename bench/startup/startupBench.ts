// Time from spawning the server on memory to its first healthy answer, and its resident memory
// once idle, for this tree and (optionally) a baseline tree given as argument, alternately.
// Run: npx tsx bench/startup/startupBench.ts [/path/to/baseline/checkout]
import { spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { createServer } from "node:net"
import { resolve } from "node:path"

const freePort = () =>
  new Promise<number>((done) => {
    const server = createServer()
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => done(typeof address === "object" && address !== null ? address.port : 0))
    })
  })

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024

const once = async (tree: string) => {
  const port = await freePort()
  const started = performance.now()
  // What `npm start` runs, without npm in between (its own process would be counted otherwise).
  const child = spawn(process.execPath, ["--import", "tsx", "src/app/main.ts"], {
    cwd: tree,
    env: { ...process.env, DATABASE_PROVIDER: "memory", HOST: "127.0.0.1", PORT: String(port) },
    stdio: "ignore"
  })
  for (;;) {
    if (await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false)) break
    await new Promise((r) => setTimeout(r, 20))
  }
  const healthyMs = performance.now() - started
  await new Promise((r) => setTimeout(r, 3_000))
  const rss = rssMb(child.pid!)
  child.kill("SIGTERM")
  await new Promise((r) => child.once("exit", r))
  return { healthyMs, rss }
}

const median = (values: Array<number>) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

const trees = [resolve("."), ...(process.argv[2] === undefined ? [] : [resolve(process.argv[2])])]
const results = new Map(trees.map((tree) => [tree, [] as Array<{ healthyMs: number; rss: number }>]))
for (let round = 0; round < 3; round++) for (const tree of trees) results.get(tree)!.push(await once(tree))
console.log("| tree | first healthy answer (ms, median of 3) | idle RSS (MB) |\n| --- | --- | --- |")
for (const [tree, runs] of results) {
  console.log(`| ${tree} | ${median(runs.map((r) => r.healthyMs)).toFixed(0)} | ${median(runs.map((r) => r.rss)).toFixed(1)} |`)
}
