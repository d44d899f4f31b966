import type { Portable } from "../../src/cli/Canonical.js"

/**
 * Documents of every shape the service writes (agents, deployments, demos, data-store records,
 * users, sessions), docport's own and as Gofannon wrote them: snake_case timestamps, optional
 * fields missing or null, nested JSON, unicode, numbers of every kind.
 */
export const fixtures: Record<string, ReadonlyArray<Portable>> = {
  agents: [
    {
      _id: "6f1c7a52-0c1e-4a55-9d59-0d4b7c1e2a01",
      name: "Weather",
      description: "tells the weather",
      code: "def run(city):\n    return f\"sunny in {city}\"",
      docstring: null,
      friendlyName: "weather",
      tools: { "https://api.example/openapi.json": ["get_forecast", "get_alerts"] },
      swaggerSpecs: [{ url: "https://api.example/openapi.json", spec: { openapi: "3.0.0", paths: {} } }],
      inputSchema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
      outputSchema: { type: "object" },
      invokableModels: [{ provider: "openai", model: "gpt-4o", parameters: { temperature: 0.7, max_tokens: 1024 } }],
      gofannonAgents: [],
      composerThoughts: null,
      composerModelConfig: { provider: "anthropic", model: "claude", parameters: { top_p: 1 } },
      dataStoreConfig: [{ namespace: "weather", access: "readwrite" }],
      envVars: { REGION: "eu" },
      createdAt: "2026-11-20T10:00:00.000Z",
      updatedAt: "2026-11-21T08:30:12.345Z"
    },
    // As Gofannon's user-service stored it: snake_case timestamps, no friendlyName, fields absent.
    {
      _id: "gofannon-agent-1",
      name: "Legacy summariser",
      description: "",
      code: "print('ünïcödé ✓ 日本語 🚀')",
      created_at: "2025-03-01T12:00:00",
      updated_at: "2025-03-02T12:00:00.123456",
      invokable_models: [],
      tools: {}
    },
    {
      _id: "numbers-agent",
      name: "Numbers",
      description: "every number shape",
      code: "",
      composerThoughts: { ints: [0, -1, 42, 9007199254740991], floats: [0.1, -2.5, 1e-7, 6.02e23], nested: [[1, [2, [3]]]] },
      swaggerSpecs: [],
      envVars: {},
      createdAt: "2026-11-20T10:00:00.000Z",
      updatedAt: "2026-11-20T10:00:00.000Z"
    }
  ],
  deployments: [
    {
      _id: "weather",
      friendlyName: "weather",
      agentId: "6f1c7a52-0c1e-4a55-9d59-0d4b7c1e2a01",
      agentName: "Weather",
      description: "tells the weather",
      createdAt: "2026-11-21T09:00:00.000Z"
    },
    { _id: "legacy-summariser", agentId: "gofannon-agent-1", agentName: "Legacy summariser", description: "" }
  ],
  demos: [
    {
      _id: "0b7e1c9a-2d3f-4e5a-8b6c-7d8e9f0a1b2c",
      name: "Forecast page",
      description: null,
      agentId: "6f1c7a52-0c1e-4a55-9d59-0d4b7c1e2a01",
      config: {},
      isPublic: true,
      selectedApis: [{ name: "weather", friendlyName: "weather" }],
      userPrompt: "a page with a city box",
      generatedCode: { html: "<div id=\"app\"></div>", css: "body { margin: 0 }", js: "console.log(\"hi\")" },
      createdAt: "2026-11-22T10:00:00.000Z",
      updatedAt: "2026-11-22T10:00:00.000Z"
    },
    { _id: "gofannon-demo", name: "Old demo", is_public: false, created_at: "2025-01-01T00:00:00" }
  ],
  agent_data_store: [
    {
      _id: "user-1:weather:last-city",
      userId: "user-1",
      namespace: "weather",
      key: "last-city",
      value: "Dublin",
      metadata: {},
      createdByAgent: "weather",
      lastAccessedByAgent: null,
      accessCount: 3,
      createdAt: "2026-11-22T10:00:00.000Z",
      updatedAt: "2026-11-22T11:00:00.000Z",
      lastAccessedAt: "2026-11-22T12:00:00.000Z"
    },
    {
      _id: "user-1:weather:history",
      userId: "user-1",
      namespace: "weather",
      key: "history",
      value: { cities: ["Dublin", "Köln"], counts: { Dublin: 2 }, empty: [], nothing: null, flag: false },
      metadata: { source: "agent" },
      access_count: 0,
      created_at: "2025-06-01T00:00:00"
    },
    { _id: "user-2:misc:answer", userId: "user-2", namespace: "misc", key: "answer", value: 42 }
  ],
  users: [
    {
      _id: "user-1",
      createdAt: "2026-11-01T00:00:00",
      updatedAt: "2026-11-02T00:00:00",
      basicInfo: { displayName: "Ada", email: "ada@example.org" },
      billingInfo: { plan: null, status: null },
      usageInfo: { monthlyAllowance: 100.0, allowanceResetDate: 0.0, spendRemaining: 99.25, usage: [{ timestamp: "2026-11-02T00:00:00", responseCost: 0.75, metadata: null }] },
      apiKeys: { openaiApiKey: null }
    },
    { _id: "user-2", basic_info: { display_name: "Grace" } }
  ],
  user_sessions: [
    {
      _id: "c2Vzc2lvbi1pZC0x",
      userUid: "user-1",
      providerType: "dev_stub",
      displayName: "Ada",
      email: null,
      workspaces: [{ workspaceId: "ws-1", role: "owner" }],
      isSiteAdmin: false,
      createdAt: "2026-11-28T10:00:00",
      updatedAt: "2026-11-28T10:00:00",
      expiresAt: "2026-12-28T10:00:00",
      lastRefreshAt: "2026-11-28T10:00:00"
    }
  ]
}

export const fixtureCount = Object.values(fixtures).reduce((n, docs) => n + docs.length, 0)
