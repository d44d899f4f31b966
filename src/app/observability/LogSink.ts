/**
 * Log lines leave the process in batches: the lines logged within FLUSH_AFTER_MS go out in one
 * write to stdout, instead of one `console.log` (a formatted, synchronous write) per line. Under
 * load the access log alone was about 9 % of the server's CPU that way. A write per turn of the
 * event loop (a syscall and a wake-up of whatever reads stdout, several times a millisecond under
 * load) still cost 2 - 3 % of a `GET`'s CPU against dropping the lines; a write every 25 ms took
 * that to about 1 %, measured side by side (bench/HISTORY.md, the run of ea5f89d). A batch that reaches
 * FLUSH_AT_CHARS goes at once, so a burst never holds more than that. Lines still pending when the
 * process exits are written then, so an orderly exit loses none.
 */
const FLUSH_AFTER_MS = 25
const FLUSH_AT_CHARS = 64 * 1024

let pending: Array<string> = []
let pendingChars = 0
let timer: ReturnType<typeof setTimeout> | undefined

type Write = (text: string) => void

let write: Write = (text) => void process.stdout.write(text)

export const flushLogs = (): void => {
  if (timer !== undefined) {
    clearTimeout(timer)
    timer = undefined
  }
  if (pending.length === 0) return
  const text = pending.join("")
  pending = []
  pendingChars = 0
  write(text)
}

export const writeLogLine = (line: string): void => {
  pending.push(line + "\n")
  pendingChars += line.length + 1
  if (pendingChars >= FLUSH_AT_CHARS) return flushLogs()
  // Unref'd: a pending batch never keeps the process alive; the exit handler below writes it.
  if (timer === undefined) timer = setTimeout(flushLogs, FLUSH_AFTER_MS).unref()
}

/** Where batches go (stdout unless a test captures them); returns the previous writer. */
export const setLogWriter = (next: Write): Write => {
  flushLogs()
  const previous = write
  write = next
  return previous
}

process.on("exit", flushLogs)
