-- wrk script: one atomic batch of 1,000 durable appends per request (POST /api/v1/batches).
-- Each wrk thread prebuilds 16 distinct bodies (1,000 events over 1,000 entities each, JSON
-- payloads of exactly 200 bytes) and cycles through them, so the client spends its CPU on
-- sending, not on building 250 kB strings. Events carry no expectedSequence, so repeating a body
-- appends new events each time.
-- run.sh exports the server's generated admin token: the API refuses unauthenticated requests
local headers = { ["Content-Type"] = "application/json" }
if os.getenv("BATPAK_TOKEN") then headers["Authorization"] = "Bearer " .. os.getenv("BATPAK_TOKEN") end
local threads = {}
local bodies = {}
local next_body = 0
local BATCH = 1000
local VARIANTS = 16

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

local pad = string.rep("x", 200 - string.len('{"n":"0000000000","pad":""}'))

function init(args)
  local t = wrk.thread:get("thread_id") or 0
  for v = 1, VARIANTS do
    local events = {}
    for i = 1, BATCH do
      local n = v * BATCH + i
      events[i] = string.format(
        '{"entity":"batch:t%d-e%d","scope":"bench","kind":61441,"payload":{"n":"%010d","pad":"%s"}}',
        t, (n * 7919) % 10000, n, pad)
    end
    bodies[v] = wrk.format("POST", "/api/v1/batches", headers,
      '{"events":[' .. table.concat(events, ",") .. ']}')
  end
end

request = function()
  next_body = next_body % VARIANTS + 1
  return bodies[next_body]
end
