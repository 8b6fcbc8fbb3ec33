-- wrk script: durable ingest as phones send it. POST /heartbeat with a ~200-byte JSON body, producer ids
-- 1000000-1009999 in turn and a distinct seq per request (so no heartbeat is a resend the worker drops).
-- Each wrk thread takes its own seq range, and a run a second later another, every seq below 2^53 (LuaJIT counts
-- in doubles). Use: wrk -t2 -c256 -d60s --latency -s bench/heartbeat.lua http://HOST:PORT
local producers = 10000
local counter = 0
local threads = 0

function setup(thread)
  threads = threads + 1
  -- the clock's seconds modulo a million, times a billion, plus this thread's hundred million: < 10^15
  thread:set("base", (os.time() % 1000000) * 1000000000 + threads * 100000000)
end

function init(args)
  counter = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

local template = '{"id":"%d","seq":%d,"location":{"lat":56.3398,"lon":-2.7967,"accuracy":8.5,"speed":1.4},'
  .. '"data":{"temperature":21.5,"humidity":48,"noise_db":41.2,"battery":87,"steps":12034,'
  .. '"activity":"walking","app":"tophat-wrk"}}'

function request()
  counter = counter + 1
  local body = string.format(template, 1000000 + counter % producers, base + counter)
  return wrk.format("POST", "/heartbeat", nil, body)
end
