import { createHash, randomBytes } from "node:crypto"

/** 32 random bytes, URL-safe: unguessable session ids, login states and token secrets. */
export const randomSecret = (): string => randomBytes(32).toString("base64url")

/**
 * Secrets are stored under their SHA-256 only: whoever reads the database (a backup, a log of the
 * backend) cannot replay a session or a token. Hex keeps the id valid on every backend.
 */
export const secretId = (secret: string): string => createHash("sha256").update(secret, "utf8").digest("hex")
