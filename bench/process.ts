/**
 * `npx tsx bench/process.ts [rounds]`: docport as a supervisor runs it (`npm start` in a process
 * group of its own, on memory) against the floor of any Node server (a bare node:http server,
 * started the same way): time to the first answer, resident memory when idle, and time from
 * SIGTERM-to-the-group to exit, idle and with a keep-alive client, a request in flight and a
 * half-sent request. Prints a table; not part of `npm test`.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { connect, type Socket } from "node:net"
import { Effect } from "effect"
import { freePort } from "../test/support/ChildServer.js"
import { ROOT } from "./support/processes.js"

const BARE = "require('node:http').createServer((q, s) => s.end('{}')).listen(+process.env.PORT, '127.0.0.1', () => console.log('Listening on'))"

interface Started {
  readonly child: ChildProcess
  readonly port: number
  readonly startMs: number
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const start = async (what: "docport" | "bare", env: Record<string, string> = {}): Promise<Started> => {
  const port = await Effect.runPromise(freePort)
  const started = Date.now()
  const [command, args] = what === "docport" ? ["npm", ["start"]] : [process.execPath, ["-e", BARE]]
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, DATABASE_PROVIDER: "memory", HOST: "127.0.0.1", PORT: String(port), ...env },
    stdio: "ignore",
    detached: true
  })
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok || what === "bare") break
    } catch {
      await sleep(20)
    }
  }
  return { child, port, startMs: Date.now() - started }
}

/** Resident memory of the node process serving (npm's child when npm started it). */
const rssMb = (s: Started, what: "docport" | "bare") => {
  const pid = what === "docport" ? Number(execFileSync("pgrep", ["-P", String(s.child.pid)]).toString().trim().split("\n")[0]) : s.child.pid!
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1])
  return kb / 1024
}

const stopMs = async (s: Started) => {
  const exited = new Promise<number | null>((resolve) => s.child.once("exit", resolve))
  const t = Date.now()
  process.kill(-s.child.pid!, "SIGTERM")
  const code = await exited
  return { ms: Date.now() - t, code }
}

const open = (port: number) => new Promise<Socket>((resolve) => { const s = connect(port, "127.0.0.1", () => resolve(s)); s.on("error", () => {}) })

const median = (xs: Array<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const rounds = Number(process.argv[2] ?? 3)
const rows: Record<string, Array<number>> = {}
const add = (key: string, value: number) => (rows[key] ??= []).push(value)
execFileSync("npm", ["run", "--silent", "build"], { cwd: ROOT, stdio: "inherit" })

for (let round = 0; round < rounds; round++) {
  for (const what of ["bare", "docport"] as const) {
    const s = await start(what)
    add(`${what}: first answer, ms`, s.startMs)
    await sleep(2_000)
    add(`${what}: idle RSS, MB`, rssMb(s, what))
    add(`${what}: SIGTERM to exit, idle, ms`, (await stopMs(s)).ms)
  }
  // docport with clients that do not cooperate.
  const ka = await start("docport")
  const keepAlive = await open(ka.port)
  keepAlive.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
  await sleep(200)
  add("docport: SIGTERM to exit, keep-alive client, ms", (await stopMs(ka)).ms)

  const fl = await start("docport")
  const body = JSON.stringify({ name: "n", description: "d", code: "c" })
  const inFlight = await open(fl.port)
  inFlight.write(`POST /agents HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`)
  await sleep(200)
  setTimeout(() => inFlight.write(body.slice(5)), 1_000)
  add("docport: SIGTERM to exit, request in flight finishing 1 s later, ms", (await stopMs(fl)).ms)

  const hs = await start("docport", { SHUTDOWN_TIMEOUT: "3" })
  const half = await open(hs.port)
  half.write(`POST /agents HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{`)
  await sleep(200)
  add("docport: SIGTERM to exit, half-sent request, SHUTDOWN_TIMEOUT=3, ms", (await stopMs(hs)).ms)
}

console.log(`| measure (median of ${rounds}) | value |\n| --- | --- |`)
for (const [key, values] of Object.entries(rows)) console.log(`| ${key} | ${median(values).toFixed(0)} |`)
const ratio = (measure: string) => median(rows[`docport: ${measure}`]!) / median(rows[`bare: ${measure}`]!)
console.log(`| docport / bare node:http, first answer | ${ratio("first answer, ms").toFixed(1)} |`)
console.log(`| docport / bare node:http, idle RSS | ${ratio("idle RSS, MB").toFixed(1)} |`)
