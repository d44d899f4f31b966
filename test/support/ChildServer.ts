import { Effect, Scope } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import { connect, createServer } from "node:net"

/** A free TCP port on 127.0.0.1, chosen by the kernel. */
export const freePort = Effect.async<number, Error>((resume) => {
  const server = createServer()
  server.unref()
  server.on("error", (error) => resume(Effect.fail(error)))
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    server.close(() => resume(Effect.succeed(port)))
  })
})

/** Whether a TCP connection to 127.0.0.1:port is accepted right now (closed at once, before any request). */
export const portAccepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host: "127.0.0.1", port })
    socket.once("connect", () => {
      socket.destroy()
      resolve(true)
    })
    socket.once("error", () => resolve(false))
  })

export interface ChildServerOptions {
  readonly name: string
  readonly command: string
  readonly args: ReadonlyArray<string>
  readonly env?: Record<string, string>
  readonly cwd?: string
  /** Resolves once the server is ready to take requests. */
  readonly ready: (output: string) => boolean
  /**
   * Also ready once this answers true, asked every 25 ms: for a server whose output may not say
   * so (a log level above info).
   */
  readonly probe?: (() => Promise<boolean>) | undefined
  readonly startTimeoutMs?: number
}

export interface ChildServer {
  readonly process: ChildProcess
  /** Everything the process printed so far, for error messages. */
  readonly output: () => string
}

const kill = (child: ChildProcess) =>
  Effect.async<void>((resume) => {
    if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.void)
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000)
    child.once("exit", () => {
      clearTimeout(timer)
      resume(Effect.void)
    })
    // Negative pid: the whole process group, so wrappers (java launchers, npx) die with their children.
    try {
      process.kill(-child.pid!, "SIGTERM")
    } catch {
      child.kill("SIGTERM")
    }
  })

/**
 * Start a server process for the tests, wait until its output says it is ready, and stop it
 * (with its whole process group) when the scope closes.
 */
export const startChildServer = (options: ChildServerOptions): Effect.Effect<ChildServer, Error, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<ChildServer, Error>((resume) => {
      let output = ""
      let settled = false
      const child = spawn(options.command, [...options.args], {
        cwd: options.cwd,
        env: { ...process.env, ...options.env },
        stdio: ["ignore", "pipe", "pipe"],
        detached: true
      })
      const server: ChildServer = { process: child, output: () => output }
      const finish = (effect: Effect.Effect<ChildServer, Error>) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        clearInterval(probing)
        resume(effect)
      }
      const probe = options.probe
      let asking = false
      const probing = probe === undefined ? undefined : setInterval(() => {
        if (asking || settled) return
        asking = true
        probe().then((up) => {
          asking = false
          if (up) finish(Effect.succeed(server))
        }, () => (asking = false))
      }, 25)
      const onData = (data: Buffer) => {
        output += data.toString()
        if (output.length > 100_000) output = output.slice(-50_000)
        if (!settled && options.ready(output)) finish(Effect.succeed(server))
      }
      child.stdout!.on("data", onData)
      child.stderr!.on("data", onData)
      child.on("error", (error) => finish(Effect.fail(new Error(`${options.name} could not start: ${error.message}`))))
      child.on("exit", (code) =>
        finish(Effect.fail(new Error(`${options.name} exited with code ${code} before it was ready:\n${output}`))))
      const timer = setTimeout(() => {
        child.kill("SIGKILL")
        finish(Effect.fail(new Error(`${options.name} was not ready within ${options.startTimeoutMs ?? 30_000} ms:\n${output}`)))
      }, options.startTimeoutMs ?? 30_000)
    }),
    (server) => kill(server.process)
  )

/** Stop a server started with startChildServer before its scope closes (to test a dying backend). */
export const stopChildServer = (server: ChildServer): Effect.Effect<void> => kill(server.process)
