/**
 * Run by heavyScenarios.ts as `node --expose-gc --import tsx bench/http/heavyChild.ts <dist> <scenario> <clients> <seconds>`:
 * one docport build (its dist/) serving on memory inside this process, seeded over HTTP, then
 * `clients` loops of the scenario's GET that read and drop the answer. Every 100 ms a full
 * collection, then the heap in use (JS heap plus buffers): its peak above the same figure before
 * the load is the memory the requests in flight keep alive. Prints one JSON line.
 */
import { Effect, Fiber, Layer } from "effect"
import { createServer, get } from "node:http"
import { join } from "node:path"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { freePort } from "../../test/support/ChildServer.js"
import { HEAVY_SCENARIOS } from "./heavySeeds.js"

const [dist, scenarioId, clientsArg, secondsArg] = process.argv.slice(2)
const scenario = HEAVY_SCENARIOS.find((s) => s.id === scenarioId)
if (dist === undefined || scenario === undefined) throw new Error(`usage: heavyChild.ts <dist> <scenario> <clients> <seconds>`)
const clients = Number(clientsArg ?? 8)
const seconds = Number(secondsArg ?? 5)
const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) throw new Error("run with --expose-gc")

const inUse = () => {
  gc()
  const m = process.memoryUsage()
  return (m.heapUsed + m.external) / 1024 / 1024
}

const fetchOnce = (url: string) =>
  new Promise<number>((resolve, reject) => {
    get(url, (res) => {
      let bytes = 0
      res.on("data", (chunk: Buffer) => (bytes += chunk.length))
      res.on("end", () => (res.statusCode === 200 ? resolve(bytes) : reject(new Error(`${url}: ${res.statusCode}`))))
      res.on("error", reject)
    }).on("error", reject)
  })

const main = async () => {
  const { makeHttpLive } = await import(join(dist, "app", "HttpLive.js"))
  const MemoryDatabase = await import(join(dist, "adapters", "MemoryDatabase.js"))
  const port = await Effect.runPromise(freePort)
  const server = Effect.runFork(Layer.launch(makeHttpLive(
    MemoryDatabase.layer,
    NodeHttpServer.layer(createServer, { port, host: "127.0.0.1" }),
    { observeRequests: false }
  ) as Layer.Layer<never>))
  const base = `http://127.0.0.1:${port}`
  for (let i = 0; i < 100; i++) {
    if (await fetch(`${base}/health`).then((r) => r.ok, () => false)) break
    await new Promise((r) => setTimeout(r, 100))
  }
  await Effect.runPromise(scenario.seed(base))
  const url = `${base}${scenario.path}`
  const bodyBytes = await fetchOnce(url)
  const before = Math.min(inUse(), inUse())
  let peak = before
  const sampler = setInterval(() => (peak = Math.max(peak, inUse())), 100)
  let requests = 0
  const until = Date.now() + seconds * 1000
  await Promise.all(Array.from({ length: clients }, async () => {
    while (Date.now() < until) {
      await fetchOnce(url)
      requests++
    }
  }))
  clearInterval(sampler)
  await Effect.runPromise(Fiber.interrupt(server))
  console.log(JSON.stringify({ beforeMB: before, peakMB: peak, perRequestMB: (peak - before) / clients, requests, bodyBytes }))
  process.exit(0)
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
