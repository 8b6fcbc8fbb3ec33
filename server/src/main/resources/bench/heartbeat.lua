-- wrk script: durable ingest as phones send it. POST /heartbeat with a ~200-byte JSON body, producer ids
-- FIRST .. FIRST+COUNT-1 in turn (default 1000000 and 10000, the producers of tophat bench ingest) and a distinct
-- seq per request (so no heartbeat is a resend the worker drops). Each wrk thread takes its own seq range, and a
-- run a second later another, every seq below 2^53 (LuaJIT counts in doubles). Counts the 2xx answers, the
-- heartbeats the worker acknowledged, and prints "acknowledged: N" after wrk's summary.
-- Use: wrk -t2 -c256 -d60s --latency -s heartbeat.lua http://HOST:PORT [-- FIRST COUNT]
-- (tophat bench ingest --generator wrk runs it from its jar; bench/standard.sh from server/src/main/resources/bench)
local first = 1000000
local producers = 10000
local counter = 0
local threads = {}
acknowledged = 0 -- a global: done() reads each thread's with thread:get

function setup(thread)
  table.insert(threads, thread)
  -- the clock's seconds modulo a million, times a billion, plus this thread's hundred million: < 10^15
  thread:set("base", (os.time() % 1000000) * 1000000000 + #threads * 100000000)
end

function init(args)
  first = tonumber(args[1]) or first
  producers = tonumber(args[2]) or producers
  counter = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

local template = '{"id":"%d","seq":%d,"location":{"lat":56.3398,"lon":-2.7967,"accuracy":8.5,"speed":1.4},'
  .. '"data":{"temperature":21.5,"humidity":48,"noise_db":41.2,"battery":87,"steps":12034,'
  .. '"activity":"walking","app":"tophat-wrk"}}'

function request()
  counter = counter + 1
  local body = string.format(template, first + counter % producers, base + counter)
  return wrk.format("POST", "/heartbeat", nil, body)
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    acknowledged = acknowledged + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("acknowledged")
  end
  io.write(string.format("acknowledged: %d\n", total))
end
