// Where a backend lives is configuration an operator already has, and a map of the network for
// anyone else: no log line or error message names it. SDK and Node errors carry it in their text
// ("connect ECONNREFUSED 10.0.0.7:5984", "getaddrinfo ENOTFOUND couch.internal", a request URL),
// so every backend's error text goes through this before it becomes a message.
// A file: URL is a stack frame's, not a backend's.
const URL = /\b(?!file:)[a-z][a-z0-9+.-]*:\/\/[^\s"'<>()]+/gi
// A system error's code followed by the address it failed on, as Node's net and dns errors say it.
const AFTER_CODE = /\b(E[A-Z]{4,}|EAI_[A-Z]+)\s+(\[[^\]\s]*\](?::\d{1,5})?|[^\s,;()'"]*[.:][^\s,;()'"]*)/g
// A name the resolver could not find is a host name, with or without a dot.
const UNRESOLVED = /\b(ENOTFOUND|EAI_[A-Z]+)\s+(?!<address>)[^\s,;()'"]+/g
const IPV4 = /\b\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?\b/g
const BRACKETED_IPV6 = /\[[0-9a-f:.%]*:[0-9a-f:.%]*\](?::\d{1,5})?/gi
// Not a path's file name with its line number (`nano.js:136`, in a stack frame).
const HOST_PORT = /(?<![\w/.-])(?:localhost|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?!(?:[cm]?js|[cm]?ts|json|node):)[a-z0-9-]+):\d{1,5}\b/gi

/** The text with every URL, network address and host:port in it replaced by a placeholder. */
export const withoutAddresses = (text: string): string =>
  text
    .replace(URL, "<url>")
    .replace(AFTER_CODE, "$1 <address>")
    .replace(UNRESOLVED, "$1 <address>")
    .replace(BRACKETED_IPV6, "<address>")
    .replace(IPV4, "<address>")
    .replace(HOST_PORT, "<address>")
