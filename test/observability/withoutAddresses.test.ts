import { describe, expect, it } from "vitest"
import { withoutAddresses } from "../../src/adapters/withoutAddresses.js"

describe("withoutAddresses: what a backend's error text says of where it lives", () => {
  it.each([
    ["connect ECONNREFUSED 127.0.0.1:36953", "connect ECONNREFUSED <address>"],
    ["connect ECONNREFUSED ::1:5984", "connect ECONNREFUSED <address>"],
    ["connect ETIMEDOUT [fe80::1]:443", "connect ETIMEDOUT <address>"],
    ["getaddrinfo ENOTFOUND couch.internal", "getaddrinfo ENOTFOUND <address>"],
    ["getaddrinfo EAI_AGAIN couchdb", "getaddrinfo EAI_AGAIN <address>"],
    ["request to http://admin:pw@couch.example.com:5984/db/_all_docs failed", "request to <url> failed"],
    ["Inaccessible host: `dynamodb.local:8000'", "Inaccessible host: `<address>'"],
    ["No connection established. Last error: connect ECONNREFUSED 10.1.2.3:8080 (at 12:30:00.000Z)", "No connection established. Last error: connect ECONNREFUSED <address> (at 12:30:00.000Z)"],
    ["proxy at localhost:3128 and [::1]:8080", "proxy at <address> and <address>"]
  ])("%s", (text, expected) => {
    expect(withoutAddresses(text)).toBe(expected)
  })

  it("keeps what says what went wrong, and a stack frame's file and line", () => {
    for (
      const text of [
        "read ECONNRESET",
        "TimeoutError: ETIMEDOUT",
        "ValidationException: Item size has exceeded the maximum allowed size",
        "    at file:///srv/docport/dist/server/chunk-EI2ZFJMJ.js:6776:31",
        "    at /srv/docport/node_modules/nano/lib/nano.js:433:11",
        "409 conflict: Document update conflict. at 2026-12-05T12:30:00.000Z"
      ]
    ) expect(withoutAddresses(text)).toBe(text)
  })
})
