import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/buildOnce.ts", "test/support/sharedEmulator.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The AWS SDK warns once per process that its 2027 releases need Node 22; in tests it is noise.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" }
  }
})
