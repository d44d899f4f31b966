import { expect, type Vitest } from "@effect/vitest"
import { Effect } from "effect"
import { randomUUID } from "node:crypto"
import { DatabaseService } from "../../src/ports/DatabaseService.js"
import { type BaseUrl, raw } from "../support/TestServer.js"
import { GofannonStore } from "./GofannonStores.js"

/**
 * Documents in the shape Gofannon's user-service stores them (models/agent.py and models/demo.py
 * dumped by alias, through its database services), written beside docport and then used through
 * docport's HTTP API as the UI uses them.
 */
const gofannonDocuments = (run: string) => {
  const ids = {
    current: `${run}-current`,
    legacy: `${run}-legacy`,
    untouched: `${run}-untouched`,
    demo: `${run}-demo`,
    deployment: `gf_${run.replace(/-/g, "_")}`,
    orphan: `gf_orphan_${run.replace(/-/g, "_")}`
  }
  // Agent(...).model_dump(by_alias=True, mode="json") of today's Gofannon: camelCase, naive UTC times, rev None.
  const current = {
    _rev: null,
    name: "summarizer",
    description: "Summarises a text",
    code: "async def run(input_dict, tools):\n    return {'outputText': ''}",
    docstring: null,
    friendlyName: ids.deployment,
    tools: { "https://mcp.example.org/mcp": ["search"] },
    swaggerSpecs: [],
    inputSchema: { inputText: "string" },
    outputSchema: { outputText: "string" },
    invokableModels: [{ provider: "openai", model: "gpt-4o", parameters: { temperature: 0.7 }, builtInTool: null }],
    gofannonAgents: [ids.legacy],
    composerThoughts: null,
    composerModelConfig: null,
    dataStoreConfig: [],
    envVars: [{ key: "REGION", value: "eu-west-1", description: null }],
    createdAt: "2025-06-01T10:00:00.123456",
    updatedAt: "2025-06-01T10:00:00.123456"
  }
  // An older agent: snake_case timestamps and only the fields it had then.
  const legacy = {
    _rev: null,
    name: "translator",
    description: "Translates a text",
    code: "async def run(input_dict, tools):\n    return {}",
    created_at: "2024-11-02T08:30:00",
    updated_at: "2024-11-03T09:00:00"
  }
  // DemoApp(...).model_dump(by_alias=True, mode="json"): DemoApp has no camelCase alias for its times.
  const demo = {
    _rev: null,
    name: "Summariser page",
    description: null,
    selectedApis: [{
      friendlyName: ids.deployment,
      agentId: ids.current,
      description: "Summarises a text",
      inputSchema: { inputText: "string" },
      outputSchema: { outputText: "string" }
    }],
    modelConfig: { provider: "openai", model: "gpt-4o", parameters: {}, builtInTool: null },
    userPrompt: "A page with a text box",
    generatedCode: { html: "<p>hi</p>", css: "", js: "", thoughts: null },
    composerThoughts: null,
    created_at: "2025-07-01T12:00:00.5",
    updated_at: "2025-07-01T12:00:00.5"
  }
  return { ids, current, legacy, demo }
}

export const gofannonDocumentSuite = (it: Vitest.MethodsNonLive<BaseUrl | DatabaseService | GofannonStore, true>, timeout: number) => {
  it.effect("documents Gofannon wrote read, list, update and delete through docport", () =>
    Effect.gen(function*() {
      const store = yield* GofannonStore
      const db = yield* DatabaseService
      const { current, demo, ids, legacy } = gofannonDocuments(randomUUID().slice(0, 8))
      yield* store.put("agents", ids.current, current)
      yield* store.put("agents", ids.legacy, legacy)
      yield* store.put("agents", ids.untouched, { ...legacy, name: "untouched" })
      yield* store.put("deployments", ids.deployment, { agentId: ids.current })
      yield* store.put("deployments", ids.orphan, { agentId: `${ids.current}-deleted-long-ago` })
      yield* store.put("demos", ids.demo, demo)

      // saved agents page
      const list = yield* raw("GET", "/agents")
      expect(list.status).toBe(200)
      const listed = new Map((list.body as Array<any>).map((a) => [a._id, a]))
      expect(listed.get(ids.current)).toMatchObject({ name: "summarizer", envVars: current.envVars, createdAt: current.createdAt })
      expect(listed.get(ids.legacy)).toMatchObject({
        name: "translator",
        createdAt: legacy.created_at,
        updatedAt: legacy.updated_at,
        tools: {},
        envVars: [],
        gofannonAgents: [],
        swaggerSpecs: [],
        dataStoreConfig: []
      })
      for (const id of [ids.current, ids.legacy]) expect(typeof listed.get(id)._rev, store.backend).toBe("string")

      // the agent page
      const got = yield* raw("GET", `/agents/${ids.current}`)
      expect(got.status).toBe(200)
      expect(got.body).toMatchObject({ _id: ids.current, inputSchema: current.inputSchema, invokableModels: current.invokableModels })
      const status = yield* raw("GET", `/agents/${ids.current}/deployment`)
      expect(status.body).toEqual({ is_deployed: true, friendly_name: ids.deployment })
      expect((yield* raw("GET", `/agents/${ids.legacy}/deployment`)).body).toEqual({ is_deployed: false })
      const chain = yield* raw("GET", `/agents/${ids.current}/chain`)
      expect(chain.status).toBe(200)
      expect(chain.body.nodes[ids.legacy]).toMatchObject({ name: "translator", missing: false, input_schema: null })

      // deployed APIs: Gofannon's deployment document is listed; the one whose agent is gone is dropped and removed
      const deployments = yield* raw("GET", "/deployments")
      expect(deployments.status).toBe(200)
      expect((deployments.body as Array<any>).find((d) => d.friendlyName === ids.deployment)).toEqual({
        friendlyName: ids.deployment,
        agentId: ids.current,
        description: "Summarises a text",
        inputSchema: { inputText: "string" },
        outputSchema: { outputText: "string" }
      })
      expect((deployments.body as Array<any>).some((d) => d.friendlyName === ids.orphan)).toBe(false)
      expect((yield* Effect.flip(db.get("deployments", ids.orphan)))._tag).toBe("NotFound")

      // the editor saves the legacy agent: its creation time survives, and it gets a real revision
      const legacyAgent = (yield* raw("GET", `/agents/${ids.legacy}`)).body
      const updated = yield* raw("PUT", `/agents/${ids.legacy}`, {
        ...legacyAgent,
        _id: undefined,
        _rev: undefined,
        envVars: [{ key: "LANG", value: "fr" }]
      })
      expect(updated.status, updated.text.slice(0, 300)).toBe(200)
      expect(updated.body).toMatchObject({ createdAt: legacy.created_at, envVars: [{ key: "LANG", value: "fr" }] })
      // a conditional update at the revision docport reported for Gofannon's document wins once, then is stale
      const conditional = yield* raw("PUT", `/agents/${ids.current}`, { description: "edited", _rev: got.body._rev })
      expect(conditional.status, conditional.text.slice(0, 300)).toBe(200)
      const stale = yield* raw("PUT", `/agents/${ids.current}`, { description: "lost", _rev: got.body._rev })
      expect(stale.status).toBe(409)
      expect((yield* raw("GET", `/agents/${ids.current}`)).body.description).toBe("edited")

      // the demo: listed, reopened, replaced, deleted
      const demos = yield* raw("GET", "/demos")
      expect(demos.status).toBe(200)
      const listedDemo = (demos.body as Array<any>).find((d) => d._id === ids.demo)
      expect(listedDemo).toMatchObject({ name: demo.name, selectedApis: demo.selectedApis, createdAt: demo.created_at })
      const opened = yield* raw("GET", `/demos/${ids.demo}`)
      expect(opened.body).toMatchObject({ modelConfig: demo.modelConfig, generatedCode: demo.generatedCode, userPrompt: demo.userPrompt })
      const { _rev, created_at, updated_at, ...replacement } = demo
      const replaced = yield* raw("PUT", `/demos/${ids.demo}`, { ...replacement, description: "now described" })
      expect(replaced.status, replaced.text.slice(0, 300)).toBe(200)
      expect(replaced.body).toMatchObject({ description: "now described", createdAt: demo.created_at })
      expect((yield* raw("DELETE", `/demos/${ids.demo}`)).status).toBe(204)
      expect((yield* raw("GET", `/demos/${ids.demo}`)).status).toBe(404)

      // deletes of documents docport never rewrote, and of the one it did
      expect((yield* raw("DELETE", `/agents/${ids.untouched}`)).status).toBe(204)
      expect((yield* raw("DELETE", `/agents/${ids.current}`)).status).toBe(204)
      expect((yield* Effect.flip(db.get("deployments", ids.deployment)))._tag).toBe("NotFound")
      expect((yield* raw("DELETE", `/agents/${ids.legacy}`)).status).toBe(204)
      expect((yield* raw("GET", `/agents/${ids.untouched}`)).status).toBe(404)
    }), timeout)
}
