import { createHash } from "node:crypto"
import { idProblem } from "../ports/Validation.js"

// Python's urlsafe_b64encode pads with '='; Gofannon's ids carry the padding.
const base64url = (text: string): string => {
  const encoded = Buffer.from(text, "utf8").toString("base64url")
  return encoded + "=".repeat((4 - (encoded.length % 4)) % 4)
}

/**
 * The id of (user, namespace, key). Gofannon's `user:namespace:base64url(key)` wherever that is a
 * valid id on every backend and unambiguous (a user id without ':' — the key part never has one),
 * so migrated records keep their ids; otherwise (a '/' in the namespace, a long key, a ':' in the
 * user id...) a SHA-256 of the three, which has no ':' and so never equals a Gofannon-form id.
 */
export const recordId = (userId: string, namespace: string, key: string): string => {
  if (!userId.includes(":")) {
    const gofannon = `${userId}:${namespace}:${base64url(key)}`
    if (idProblem(gofannon) === undefined) return gofannon
  }
  return `sha256-${createHash("sha256").update(JSON.stringify([userId, namespace, key])).digest("base64url")}`
}
