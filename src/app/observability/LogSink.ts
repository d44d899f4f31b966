/**
 * Log lines leave the process in batches: every line logged during one turn of the event loop goes
 * out in one write to stdout at the end of that turn, instead of one `console.log` (a formatted,
 * synchronous write) per line. Under load the access log alone was about 9 % of the server's CPU.
 * Lines still pending when the process exits are written then, so an orderly exit loses none.
 */
let pending: Array<string> = []
let scheduled = false

type Write = (text: string) => void

let write: Write = (text) => void process.stdout.write(text)

export const flushLogs = (): void => {
  scheduled = false
  if (pending.length === 0) return
  const text = pending.join("")
  pending = []
  write(text)
}

export const writeLogLine = (line: string): void => {
  pending.push(line + "\n")
  if (!scheduled) {
    scheduled = true
    setImmediate(flushLogs)
  }
}

/** Where batches go (stdout unless a test captures them); returns the previous writer. */
export const setLogWriter = (next: Write): Write => {
  flushLogs()
  const previous = write
  write = next
  return previous
}

process.on("exit", flushLogs)
