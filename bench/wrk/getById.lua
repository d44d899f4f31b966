-- GET /agents/{id} over the ids in the file IDS names, one picked at random per request.
local ids = {}
for line in io.lines(os.getenv("IDS")) do ids[#ids + 1] = line end
request = function()
  return wrk.format("GET", "/agents/" .. ids[math.random(#ids)])
end
