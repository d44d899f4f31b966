// node seed.mjs PORT N: creates N agents through POST /agents and prints "id rev" for each, one a line.
const [port, count] = [process.argv[2], Number(process.argv[3])]
const ids = []
for (let i = 0; i < count; i++) {
  const response = await fetch(`http://127.0.0.1:${port}/agents`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: `agent ${i}`, description: "seeded for wrk", code: "def run():\n    return 1\n", friendlyName: `agent-${i}`, tools: {}, gofannonAgents: [] })
  })
  const body = await response.json()
  if (response.status !== 201) throw new Error(`POST /agents answered ${response.status}`)
  ids.push(`${body._id} ${body._rev}`)
}
console.log(ids.join("\n"))
