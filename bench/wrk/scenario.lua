-- One HTTP scenario of the bench (bench/http/scenarioRequests.ts) for wrk, driven by wrkLoad.ts.
-- Environment: SCENARIO (list, get, put, mix, post or missing); AGENTS, a file of "id rev" lines; BODY, a
-- file holding the body a POST sends; REVS, the file the agents' last revisions are written to;
-- THREADS, wrk's -t; OPEN_MS, how long each thread waits before its first request (wrkLoad.ts
-- says why; 0 or unset: not at all). Each thread sends to its own share of the agents, so the
-- revisions a thread keeps are the current ones but for its own connections racing for one agent
-- (a 409), as with autocannon's connections sharing one map.
local scenario = os.getenv("SCENARIO")
local threads = {}

function setup(thread)
  thread:set("index", #threads)
  table.insert(threads, thread)
end

-- Globals, not locals: done() reads them from each thread (thread:get).
ids, revs, statuses = {}, {}, {}
local body

function init()
  local count = tonumber(os.getenv("THREADS"))
  local n = 0
  for line in io.lines(os.getenv("AGENTS")) do
    local id, rev = line:match("^(%S+) (%S+)$")
    if id and n % count == index then
      ids[#ids + 1] = id
      revs[id] = rev
    end
    n = n + 1
  end
  if scenario == "post" then
    local file = io.open(os.getenv("BODY"), "r")
    body = file:read("*a")
    file:close()
  end
end

local json = { ["content-type"] = "application/json" }
local getPath = "/agents/"

local function get()
  return wrk.format("GET", getPath .. ids[math.random(#ids)])
end

local function put()
  local id = ids[math.random(#ids)]
  return wrk.format("PUT", getPath .. id, json, '{"description":"updated at ' .. os.time() .. '","_rev":"' .. revs[id] .. '"}')
end

local senders = {
  list = function() return wrk.format("GET", "/agents") end,
  get = get,
  put = put,
  mix = function() if math.random() < 0.8 then return get() else return put() end end,
  missing = function() return wrk.format("GET", getPath .. "missing-" .. math.random(0, 999)) end,
  post = function() return wrk.format("POST", "/agents", json, body) end
}

request = senders[scenario]

-- Each thread's first request waits OPEN_MS before it is sent, by blocking the thread (LuaJIT's
-- ffi, as wrk is built), so that the server has accepted every connection, all opened before it,
-- before the load begins. wrk's own delay() would route every later request through a timer too,
-- which moved p50 on servers fast enough to keep wrk busy (0.64 ms against 0.27 ms, node:http).
-- wrk also calls request() once on its main thread, to check what it sends: that call does not wait.
local openMs = tonumber(os.getenv("OPEN_MS") or "0")
if openMs > 0 then
  local ffi = require("ffi")
  ffi.cdef("int poll(void *fds, unsigned long nfds, int timeout); unsigned long pthread_self(void);")
  local mainThread = ffi.C.pthread_self()
  local send = request
  request = function()
    if ffi.C.pthread_self() == mainThread then return send() end
    request = send
    ffi.C.poll(nil, 0, openMs)
    return send()
  end
end

local tracksRevisions = scenario == "put" or scenario == "mix"

function response(status, headers, text)
  statuses[status] = (statuses[status] or 0) + 1
  if tracksRevisions and status == 200 then
    local id = text:match('"_id":"([^"]+)"')
    local rev = text:match('"_rev":"([^"]+)"')
    if id and rev and revs[id] then revs[id] = rev end
  end
end

-- One line of JSON on stdout; latencies in microseconds; the duration without the OPEN_MS in
-- which no request was sent.
function done(summary, latency, requests)
  local counts = {}
  local out = io.open(os.getenv("REVS"), "w")
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do counts[status] = (counts[status] or 0) + count end
    for id, rev in pairs(thread:get("revs")) do out:write(id, " ", rev, "\n") end
  end
  out:close()
  local parts = {}
  for status, count in pairs(counts) do parts[#parts + 1] = '"' .. status .. '":' .. count end
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"durationUs":%d,"p50":%d,"p99":%d,"p999":%d,"failures":%d,"statuses":{%s}}\n',
    summary.requests, summary.duration - openMs * 1000, latency:percentile(50), latency:percentile(99), latency:percentile(99.9),
    e.connect + e.read + e.write + e.timeout, table.concat(parts, ",")))
end
