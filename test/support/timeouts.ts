import type { Duration } from "effect"

/**
 * The database timeout of the adapters the suites build and of the servers they spawn
 * (DATABASE_TIMEOUT's default is 2 s). Suites run beside each other on machines that may be busy,
 * where a test server can take longer than 2 s over a large write; that is not the failure a test
 * is about. Outage suites set their own.
 */
export const TEST_DATABASE_TIMEOUT_TEXT = "20 seconds"
export const TEST_DATABASE_TIMEOUT: Duration.DurationInput = TEST_DATABASE_TIMEOUT_TEXT
