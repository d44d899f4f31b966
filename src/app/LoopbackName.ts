// The names of this machine's loopback: `localhost`, any 127.x.x.x, and `[::1]` as a URL or a Host
// header writes it. Host names are case-insensitive.
const NAME = "localhost|127(?:\\.\\d{1,3}){3}|\\[::1\\]"
const HOSTNAME = new RegExp(`^(?:${NAME})$`, "i")
const HOST = new RegExp(`^(?:${NAME})(?::\\d+)?$`, "i")

/** Whether a host name (a URL's `hostname`) names the loopback. */
export const isLoopbackHostname = (hostname: string): boolean => HOSTNAME.test(hostname)

/** Whether a Host header's value (a name and maybe a port) names the loopback. */
export const isLoopbackHost = (host: string): boolean => HOST.test(host)
