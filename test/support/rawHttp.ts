import { connect, type Socket } from "node:net"

export interface RawAnswer {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: string
}

/** A TCP connection to 127.0.0.1:port, for requests written byte by byte. */
export const openConnection = (port: number): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => resolve(socket))
    socket.once("error", reject)
  })

/**
 * The next HTTP response on the socket (one with a content-length), or "closed" if the server
 * closes the connection first, or "silent" if neither happens within `ms`.
 */
export const nextAnswer = (socket: Socket, ms = 15_000): Promise<RawAnswer | "closed" | "silent"> =>
  new Promise((resolve) => {
    if (socket.destroyed || socket.readableEnded) return resolve("closed")
    let buffer = ""
    const finish = (result: RawAnswer | "closed" | "silent") => {
      clearTimeout(timer)
      socket.off("data", onData)
      socket.off("close", onClose)
      socket.off("error", onClose)
      resolve(result)
    }
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString("utf8")
      const end = buffer.indexOf("\r\n\r\n")
      if (end < 0) return
      const [statusLine, ...lines] = buffer.slice(0, end).split("\r\n")
      const headers: Record<string, string> = {}
      for (const line of lines) {
        const colon = line.indexOf(":")
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
      }
      const length = Number(headers["content-length"] ?? 0)
      if (buffer.length - end - 4 < length) return
      finish({ status: Number(statusLine!.split(" ")[1]), headers, body: buffer.slice(end + 4, end + 4 + length) })
    }
    const onClose = () => finish("closed")
    const timer = setTimeout(() => finish("silent"), ms)
    socket.on("data", onData)
    socket.once("close", onClose)
    socket.once("error", onClose)
  })

export const getRequest = (path: string) => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n`
