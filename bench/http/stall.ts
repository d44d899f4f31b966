/**
 * How long the load generator's event loop must stand still to count as a stall (loadWorker.ts):
 * about half a GET's median latency on this machine, so a stall this long shows in the tail.
 */
export const STALL_MS = 2
