import { expect, type Vitest } from "@effect/vitest"
import { Effect } from "effect"
import { type BaseUrl, raw, type RawResponse } from "../support/TestServer.js"

/**
 * Gofannon's web UI (apache/tooling-gofannon, webapp/packages/webui/src at 288e0d8a) replayed
 * call by call: each request is the one its services send (agentService.js, demoService.js through
 * apiClient.js, observabilityService.js), with the body its pages build, and each check reads the
 * fields those pages read. `ui` names the page and handler the sequence comes from.
 */

let counter = 0
const unique = (prefix: string) => `${prefix}_${process.pid}_${Date.now().toString(36)}_${(counter++).toString(36)}`

/** ViewAgent.jsx's sanitizeAgentName: the name becomes the friendly name (the deployment slug). */
const sanitizeAgentName = (value: string) => value.replace(/[^A-Za-z0-9_]/g, "_")

/** What apiClient.js and agentService.js do with a failed response: throw `data.detail`. */
export const uiErrorText = (res: RawResponse): string => {
  expect(res.status).toBeGreaterThanOrEqual(400)
  expect(typeof res.body?.detail, `${res.status} ${res.text.slice(0, 200)}`).toBe("string")
  expect(res.body.detail.length).toBeGreaterThan(0)
  expect(res.body.detail).not.toContain("\n")
  return res.body.detail as string
}

const composerModelConfig = { provider: "openai", model: "gpt-4o", parameters: { temperature: 0.2 }, builtInTool: "web_search" }

/** ViewAgent.jsx handleSaveNewAgent: the agent as the editor saves it. */
const editorAgent = (name: string, extra: Record<string, unknown> = {}) => {
  const canonicalName = sanitizeAgentName(name)
  return {
    name: canonicalName,
    description: "Summarises a text",
    code: "async def run(input_dict, tools):\n    return {'outputText': input_dict['inputText'][:10]}",
    tools: { "https://mcp.example.org/mcp": ["search", "fetch"] },
    swaggerSpecs: [{ name: "petstore.json", content: "{\"openapi\":\"3.0.0\"}" }],
    gofannonAgents: [],
    inputSchema: { inputText: "string" },
    outputSchema: { outputText: "string" },
    invokableModels: [{ provider: "openai", model: "gpt-4o-mini", parameters: {} }],
    composerModelConfig,
    docstring: "",
    friendlyName: canonicalName,
    dataStoreConfig: [{ namespace: "notes", access: "both", description: null }],
    envVars: [{ key: "REGION", value: "eu-west-1" }],
    ...extra
  }
}

/** The fields ViewAgent.jsx reads from `GET /agents/{id}` and sends back on update. */
const EDITOR_FIELDS = [
  "name",
  "description",
  "code",
  "tools",
  "swaggerSpecs",
  "gofannonAgents",
  "inputSchema",
  "outputSchema",
  "invokableModels",
  "composerModelConfig",
  "docstring",
  "friendlyName",
  "dataStoreConfig",
  "envVars"
] as const

const pick = (agent: Record<string, unknown>) => Object.fromEntries(EDITOR_FIELDS.map((field) => [field, agent[field]]))

/** ViewAgent.jsx handleUpdateAgent: everything the editor holds, envVars without blank rows. */
const updatePayload = (agent: Record<string, unknown>) => ({
  ...pick(agent),
  friendlyName: sanitizeAgentName(String(agent.name)),
  name: sanitizeAgentName(String(agent.name)),
  dataStoreConfig: agent.dataStoreConfig ?? [],
  envVars: ((agent.envVars as Array<{ key: string }>) ?? []).filter((ev) => ev.key && ev.key.trim())
})

const saveAgent = (body: Record<string, unknown>) =>
  Effect.map(raw("POST", "/agents", body), (res) => {
    expect(res.status, res.text.slice(0, 300)).toBe(201)
    expect(typeof res.body._id).toBe("string")
    return res.body as Record<string, any> & { _id: string }
  })

const getAgent = (id: string) =>
  Effect.map(raw("GET", `/agents/${id}`), (res) => {
    expect(res.status, res.text.slice(0, 300)).toBe(200)
    return res.body as Record<string, any> & { _id: string }
  })

/** agentService.getDeployment; SavedAgentsPage and ViewAgent read is_deployed and friendly_name. */
const getDeployment = (id: string) =>
  Effect.map(raw("GET", `/agents/${id}/deployment`), (res) => {
    expect(res.status).toBe(200)
    expect(typeof res.body.is_deployed).toBe("boolean")
    return res.body as { is_deployed: boolean; friendly_name?: string }
  })

/** DeployedApisPage / DemoApiSelectionDialog: agentService.getDeployments. */
const getDeployments = Effect.map(raw("GET", "/deployments"), (res) => {
  expect(res.status).toBe(200)
  expect(Array.isArray(res.body)).toBe(true)
  return res.body as Array<Record<string, any>>
})

/** SaveDemoScreen.jsx handleSave: the demo as the builder saves it. */
const builderDemo = (name: string, selectedApis: ReadonlyArray<unknown>, extra: Record<string, unknown> = {}) => ({
  name,
  description: "A page over the summariser",
  selectedApis,
  modelConfig: { provider: "anthropic", model: "claude-sonnet", parameters: { max_tokens: 4096 }, builtInTool: "" },
  userPrompt: "Build a page with a text box and a Summarise button",
  generatedCode: {
    html: "<textarea id=t></textarea><button id=b>Summarise</button>",
    css: "body { font-family: sans-serif }",
    js: "document.getElementById('b').onclick = () => {}",
    thoughts: { steps: ["read the schema", "draw a form"] }
  },
  ...extra
})

export const gofannonUi = (it: Vitest.MethodsNonLive<BaseUrl, true>, timeout: number) => {
  it.effect("agent editor: save a new agent with envVars, reopen it, update it (ViewAgent handleSaveNewAgent/loadAgentData/handleUpdateAgent)", () =>
    Effect.gen(function*() {
      const draft = editorAgent(unique("Summariser agent"))
      const saved = yield* saveAgent(draft)
      // loadAgentData: every field the editor shows comes back as it was saved
      const loaded = yield* getAgent(saved._id)
      expect(pick(loaded)).toEqual(pick(draft))
      expect(loaded.envVars).toEqual([{ key: "REGION", value: "eu-west-1" }])
      expect(typeof loaded._rev).toBe("string")
      // the deployment status the page fetches beside it: a draft is not deployed
      expect(yield* getDeployment(saved._id)).toEqual({ is_deployed: false })
      // EnvVarsEditor: a row added with a description, a blank row left behind mid-edit
      const edited = {
        ...loaded,
        description: "Summarises a text in one line",
        envVars: [...loaded.envVars, { key: "MODE", value: "short", description: "how long" }, { key: "", value: "" }]
      }
      const updated = yield* raw("PUT", `/agents/${saved._id}`, updatePayload(edited))
      expect(updated.status, updated.text.slice(0, 300)).toBe(200)
      expect(updated.body._rev).not.toBe(loaded._rev)
      const reloaded = yield* getAgent(saved._id)
      expect(reloaded.description).toBe("Summarises a text in one line")
      expect(reloaded.envVars).toEqual([
        { key: "REGION", value: "eu-west-1" },
        { key: "MODE", value: "short", description: "how long" }
      ])
      // a new agent in the editor starts with an empty list
      const empty = yield* saveAgent(editorAgent(unique("Empty env"), { envVars: [] }))
      expect((yield* getAgent(empty._id)).envVars).toEqual([])
    }), timeout)

  it.effect("deploy screen: deploy a saved agent, then the agent page shows its endpoint (DeployScreen handleDeploy, ViewAgent)", () =>
    Effect.gen(function*() {
      const saved = yield* saveAgent(editorAgent(unique("Deployable")))
      // DeployScreen's title reads agent.name
      expect((yield* getAgent(saved._id)).name).toBe(saved.name)
      const deployed = yield* raw("POST", `/agents/${saved._id}/deploy`)
      expect(deployed.status).toBe(201)
      expect(deployed.body).toEqual({ message: "Agent deployed successfully", endpoint: `/rest/${saved.friendlyName}` })
      // ViewAgent: the undeploy button and `/rest/${deployment.friendly_name}`
      expect(yield* getDeployment(saved._id)).toEqual({ is_deployed: true, friendly_name: saved.friendlyName })
    }), timeout)

  it.effect("deploy screen for an agent not yet saved: save, then deploy by the returned _id (DeployScreen handleDeploy)", () =>
    Effect.gen(function*() {
      const friendlyName = sanitizeAgentName(unique("Fresh"))
      // the creation-flow context has no envVars nor dataStoreConfig, and no docstring yet
      const saved = yield* saveAgent({
        name: friendlyName,
        description: "made in the creation flow",
        code: "async def run(input_dict, tools):\n    return {}",
        friendlyName,
        tools: {},
        swaggerSpecs: [],
        inputSchema: { inputText: "string" },
        outputSchema: { outputText: "string" },
        invokableModels: [],
        gofannonAgents: []
      })
      const deployed = yield* raw("POST", `/agents/${saved._id}/deploy`)
      expect(deployed.status).toBe(201)
      expect(deployed.body.endpoint).toBe(`/rest/${friendlyName}`)
      const loaded = yield* getAgent(saved._id)
      // what the editor iterates over is there even though the flow never sent it
      expect(loaded.envVars).toEqual([])
      expect(loaded.dataStoreConfig).toEqual([])
    }), timeout)

  it.effect("saved agents page: list, then each agent's deployment status (SavedAgentsPage fetchAgents)", () =>
    Effect.gen(function*() {
      const deployed = yield* saveAgent(editorAgent(unique("Listed deployed")))
      const draft = yield* saveAgent(editorAgent(unique("Listed draft")))
      expect((yield* raw("POST", `/agents/${deployed._id}/deploy`)).status).toBe(201)
      const list = yield* raw("GET", "/agents")
      expect(list.status).toBe(200)
      const rows = yield* Effect.forEach(list.body as Array<Record<string, any>>, (agent) =>
        Effect.map(getDeployment(agent._id), (d): Record<string, any> => ({ ...agent, isDeployed: d.is_deployed, deployedName: d.friendly_name })))
      const mine = rows.filter((row) => row._id === deployed._id || row._id === draft._id)
      expect(mine.map((row) => [row.name, row.description, row.isDeployed, row.deployedName]).sort()).toEqual([
        [deployed.name, deployed.description, true, deployed.friendlyName],
        [draft.name, draft.description, false, undefined]
      ].sort())
    }), timeout)

  it.effect("deployed APIs page and the demo's API picker show each agent's current description and schemas (DeployedApisPage)", () =>
    Effect.gen(function*() {
      const saved = yield* saveAgent(editorAgent(unique("Schema shown")))
      expect((yield* raw("POST", `/agents/${saved._id}/deploy`)).status).toBe(201)
      const before = (yield* getDeployments).find((api) => api.agentId === saved._id)
      expect(before).toEqual({
        friendlyName: saved.friendlyName,
        agentId: saved._id,
        description: "Summarises a text",
        inputSchema: { inputText: "string" },
        outputSchema: { outputText: "string" }
      })
      // edit the agent: the list reads the agent when asked, not a copy made at deploy time
      const loaded = yield* getAgent(saved._id)
      const changed = { ...loaded, description: "Now in three languages", inputSchema: { inputText: "string", language: "string" } }
      expect((yield* raw("PUT", `/agents/${saved._id}`, updatePayload(changed))).status).toBe(200)
      const after = (yield* getDeployments).find((api) => api.agentId === saved._id)
      expect(after).toMatchObject({ description: "Now in three languages", inputSchema: { inputText: "string", language: "string" } })
    }), timeout)

  it.effect("demo builder: save, list, reopen on the canvas, save the edit, view, delete (SaveDemoScreen, DemoAppsPage, CanvasScreen, ViewDemoAppPage)", () =>
    Effect.gen(function*() {
      const agent = yield* saveAgent(editorAgent(unique("Demo backend")))
      expect((yield* raw("POST", `/agents/${agent._id}/deploy`)).status).toBe(201)
      // DemoApiSelectionDialog: the picked APIs are the deployments list's entries, sent back as they came
      const picked = (yield* getDeployments).filter((api) => api.agentId === agent._id)
      expect(picked.length).toBe(1)
      const demo = builderDemo(unique("Summariser page"), picked)
      const created = yield* raw("POST", "/demos", demo)
      expect(created.status, created.text.slice(0, 300)).toBe(201)
      const id = created.body._id as string
      // DemoAppsPage: _id, name, description and selectedApis.length
      const listed = ((yield* raw("GET", "/demos")).body as Array<Record<string, any>>).find((app) => app._id === id)
      expect(listed).toMatchObject({ name: demo.name, description: demo.description })
      expect(listed!.selectedApis.length).toBe(1)
      // CanvasScreen edit → DemoCreationFlowContext.loadFromServer reads every builder field back
      const reopened = (yield* raw("GET", `/demos/${id}`)).body
      for (const field of ["selectedApis", "modelConfig", "userPrompt", "generatedCode", "name", "description"] as const) {
        expect(reopened[field], field).toEqual(demo[field])
      }
      // SaveDemoScreen with ?edit=: PUT the whole demo again, changed
      const edit = builderDemo(demo.name, picked, {
        userPrompt: "Add a language picker",
        generatedCode: { html: "<select></select>", css: "", js: "", thoughts: null }
      })
      const saved = yield* raw("PUT", `/demos/${id}`, edit)
      expect(saved.status, saved.text.slice(0, 300)).toBe(200)
      // ViewDemoAppPage: `const { html, css, js } = appData.generatedCode`
      const viewed = (yield* raw("GET", `/demos/${id}`)).body
      expect(viewed.generatedCode).toEqual({ html: "<select></select>", css: "", js: "", thoughts: null })
      expect(viewed.userPrompt).toBe("Add a language picker")
      expect(viewed.createdAt).toBe(created.body.createdAt)
      // DemoAppsPage handleConfirmDelete: apiClient parses an empty body as {}
      const removed = yield* raw("DELETE", `/demos/${id}`)
      expect(removed.status).toBe(204)
      expect(removed.text).toBe("")
      const gone = yield* raw("GET", `/demos/${id}`)
      expect(gone.status).toBe(404)
      expect(uiErrorText(gone)).toContain(id)
    }), timeout)

  it.effect("undeploy from the agent page, then nothing lists it (ViewAgent handleUndeploy)", () =>
    Effect.gen(function*() {
      const saved = yield* saveAgent(editorAgent(unique("Undeployed")))
      expect((yield* raw("POST", `/agents/${saved._id}/deploy`)).status).toBe(201)
      expect((yield* getDeployment(saved._id)).is_deployed).toBe(true)
      const undeployed = yield* raw("DELETE", `/agents/${saved._id}/undeploy`)
      expect(undeployed.status).toBe(204)
      expect(yield* getDeployment(saved._id)).toEqual({ is_deployed: false })
      expect((yield* getDeployments).some((api) => api.agentId === saved._id)).toBe(false)
    }), timeout)

  it.effect("delete an agent from the saved-agents page: it and its deployment are gone (SavedAgentsPage handleConfirmDelete)", () =>
    Effect.gen(function*() {
      const saved = yield* saveAgent(editorAgent(unique("Deleted")))
      expect((yield* raw("POST", `/agents/${saved._id}/deploy`)).status).toBe(201)
      const removed = yield* raw("DELETE", `/agents/${saved._id}`)
      expect(removed.status).toBe(204)
      expect(uiErrorText(yield* raw("GET", `/agents/${saved._id}`))).toContain(saved._id)
      expect((yield* getDeployments).some((api) => api.agentId === saved._id)).toBe(false)
      // a second click: the UI throws errorData.detail
      expect((yield* raw("DELETE", `/agents/${saved._id}`)).status).toBe(404)
    }), timeout)

  it.effect("chain view: composed agents, their MCP servers, a cycle and a missing agent (AgentChainView)", () =>
    Effect.gen(function*() {
      const leaf = yield* saveAgent(editorAgent(unique("Leaf"), { tools: {} }))
      const middle = yield* saveAgent(editorAgent(unique("Middle"), { gofannonAgents: [leaf._id], tools: {} }))
      // Callees named like an object's own properties: the UI looks each edge's node up by name.
      const root = yield* saveAgent(editorAgent(unique("Root"), { gofannonAgents: [middle._id, "no-such-agent", "constructor", "__proto__"] }))
      // close a cycle: leaf calls root
      expect((yield* raw("PUT", `/agents/${leaf._id}`, { gofannonAgents: [root._id] })).status).toBe(200)
      const res = yield* raw("GET", `/agents/${root._id}/chain`)
      expect(res.status).toBe(200)
      const graph = res.body
      expect(graph.root).toBe(root._id)
      expect(graph.nodes[root._id]).toEqual({
        id: root._id,
        type: "agent",
        name: root.name,
        description: root.description,
        input_schema: { inputText: "string" },
        output_schema: { outputText: "string" },
        missing: false,
        truncated: false
      })
      expect(graph.nodes["mcp:https://mcp.example.org/mcp"]).toEqual({
        id: "mcp:https://mcp.example.org/mcp",
        type: "mcp_server",
        url: "https://mcp.example.org/mcp",
        tool_count: 2,
        tools: ["search", "fetch"]
      })
      expect(graph.nodes["no-such-agent"]).toMatchObject({ type: "agent", name: "(missing)", missing: true })
      const parsed = JSON.parse(res.text)
      for (const id of ["constructor", "__proto__"]) {
        expect(Object.prototype.hasOwnProperty.call(parsed.nodes, id), id).toBe(true)
        expect(parsed.nodes[id], id).toMatchObject({ type: "agent", missing: true })
      }
      for (const edge of graph.edges) expect(Object.prototype.hasOwnProperty.call(parsed.nodes, edge.to), edge.to).toBe(true)
      expect(graph.nodes[leaf._id]).toMatchObject({ name: leaf.name, missing: false })
      const calls = graph.edges.filter((e: any) => e.type === "calls").map((e: any) => [e.from, e.to, e.cyclic])
      expect(calls).toEqual(expect.arrayContaining([
        [root._id, middle._id, false],
        [middle._id, leaf._id, false],
        [leaf._id, root._id, true],
        [root._id, "no-such-agent", false]
      ]))
      expect(graph.edges).toContainEqual({
        from: root._id,
        to: "mcp:https://mcp.example.org/mcp",
        type: "uses_tools",
        tools: ["search", "fetch"]
      })
      expect(uiErrorText(yield* raw("GET", "/agents/00000000-0000-0000-0000-000000000000/chain"))).toContain("not found")
    }), timeout)

  it.effect("error paths show a readable detail: deploy without a name, a taken name, an unknown agent, bad bodies", () =>
    Effect.gen(function*() {
      const nameless = yield* saveAgent(editorAgent(unique("Nameless"), { friendlyName: "" }))
      const noName = yield* raw("POST", `/agents/${nameless._id}/deploy`)
      expect(noName.status).toBe(400)
      expect(uiErrorText(noName)).toContain("friendlyName")
      const name = sanitizeAgentName(unique("Taken"))
      const first = yield* saveAgent(editorAgent(name))
      const second = yield* saveAgent(editorAgent(name))
      expect((yield* raw("POST", `/agents/${first._id}/deploy`)).status).toBe(201)
      const taken = yield* raw("POST", `/agents/${second._id}/deploy`)
      expect(taken.status).toBe(409)
      expect(uiErrorText(taken)).toContain(name)
      expect(yield* getDeployment(second._id)).toEqual({ is_deployed: false })
      const unknown = yield* raw("GET", "/agents/00000000-0000-0000-0000-000000000000/deployment")
      expect(unknown.status).toBe(404)
      uiErrorText(unknown)
      // the editor's save with a half-filled env var row and a non-text value
      const halfRow = yield* raw("POST", "/agents", editorAgent(unique("Bad env"), { envVars: [{ key: "ONLY_KEY" }] }))
      expect(halfRow.status).toBe(422)
      expect(uiErrorText(halfRow)).toBe("envVars[0].value is required")
      const numeric = yield* raw("PUT", `/agents/${first._id}`, { envVars: [{ key: "PORT", value: 8000 }] })
      expect(numeric.status).toBe(422)
      expect(uiErrorText(numeric)).toBe("envVars[0].value must be a string")
      const noCode = yield* raw("POST", "/demos", { ...builderDemo("x", []), generatedCode: undefined })
      expect(noCode.status).toBe(422)
      expect(uiErrorText(noCode)).toBe("generatedCode is required")
    }), timeout)

  it.effect("profile page: the usage tab, then a key added and removed on the API keys tab (UsageInfoTab, ApiKeysTab)", () =>
    Effect.gen(function*() {
      const profile = yield* raw("GET", "/users/me")
      expect(profile.status).toBe(200)
      // UsageInfoTab formats both with toFixed and groups usage entries by date.
      expect(typeof profile.body.usageInfo.monthlyAllowance).toBe("number")
      expect(typeof profile.body.usageInfo.spendRemaining).toBe("number")
      expect(Array.isArray(profile.body.usageInfo.usage)).toBe(true)
      const key = `pplx-${unique("key")}`
      const saved = yield* raw("PUT", "/users/me/api-keys", { provider: "perplexity", api_key: key })
      expect(saved.status).toBe(200)
      // ApiKeysTab shows a key as present when its field is truthy, and never needs its value.
      const keys = yield* raw("GET", "/users/me/api-keys")
      expect(keys.body.perplexityApiKey).toBeTruthy()
      expect(keys.text).not.toContain(key)
      const removed = yield* raw("DELETE", "/users/me/api-keys/perplexity")
      expect(removed.status).toBe(200)
      expect((yield* raw("GET", "/users/me/api-keys")).body.perplexityApiKey).toBeNull()
      const unknown = yield* raw("PUT", "/users/me/api-keys", { provider: "acme", api_key: "k" })
      expect(uiErrorText(unknown)).toBe("Unknown provider: acme")
    }), timeout)

  it.effect("client events are accepted with 202 (observabilityService.log)", () =>
    Effect.gen(function*() {
      const res = yield* raw("POST", "/log/client", {
        eventType: "error",
        message: "Failed to load demo apps.",
        level: "ERROR",
        metadata: { page: "DemoAppsPage", name: "TypeError" }
      })
      expect(res.status).toBe(202)
      expect(res.body).toEqual({ status: "logged" })
      const bad = yield* raw("POST", "/log/client", { message: "no event type" })
      expect(bad.status).toBe(422)
      expect(uiErrorText(bad)).toBe("eventType is required")
    }), timeout)
}
