-- wrk script: one durable append per request (POST /api/v1/events).
-- Every request goes to another entity (10,000 per wrk thread, round robin) and carries a JSON
-- payload of exactly 200 bytes, so the figure matches the in-process benchmark's 200-byte payloads.
local thread_id = 0
local counter = 0
local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

function init(args)
  thread_id = wrk.thread:get("thread_id") or 0
end

-- {"n":"<10 digits>","pad":"xxx…"} is 200 bytes (leading zeros, so a string: JSON numbers may not have them)
local pad = string.rep("x", 200 - string.len('{"n":"0000000000","pad":""}'))
local headers = { ["Content-Type"] = "application/json" }
-- run.sh exports the server's generated admin token: the API refuses unauthenticated requests
if os.getenv("BATPAK_TOKEN") then headers["Authorization"] = "Bearer " .. os.getenv("BATPAK_TOKEN") end

request = function()
  counter = counter + 1
  local body = string.format(
    '{"entity":"load:t%d-e%d","scope":"bench","kind":61441,"payload":{"n":"%010d","pad":"%s"}}',
    thread_id, counter % 10000, counter, pad)
  return wrk.format("POST", "/api/v1/events", headers, body)
end
