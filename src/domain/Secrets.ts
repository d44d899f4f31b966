import { createHash, randomBytes, timingSafeEqual } from "node:crypto"

const digest = (text: string): Buffer => createHash("sha256").update(text, "utf8").digest()

/** 32 random bytes, URL-safe: unguessable session ids, login states and token secrets. */
export const randomSecret = (): string => randomBytes(32).toString("base64url")

/**
 * Secrets are stored under their SHA-256 only: whoever reads the database (a backup, a log of the
 * backend) cannot replay a session or a token. Hex keeps the id valid on every backend.
 */
export const secretId = (secret: string): string => digest(secret).toString("hex")

/**
 * Whether a secret a client sent is the expected one, compared as SHA-256 digests: equal lengths,
 * so the time taken says nothing of where they differ or how long either is.
 */
export const sameSecret = (given: string, expected: string): boolean => timingSafeEqual(digest(given), digest(expected))
