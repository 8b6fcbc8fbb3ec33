-- wrk script: producers registering at the balancer, each request a new one. GET /register/{id}, ids
-- FIRST + t*10^9 + 1, 2, ... for wrk thread t, so two threads, or two runs given different FIRSTs, never
-- register one producer twice. Counts the 200 answers (each an assignment the balancer wrote before answering)
-- and prints "registered: N" after wrk's summary.
-- Use: wrk -t2 -c256 -d10s --latency -s register.lua http://HOST:PORT [-- FIRST]
-- (tophat bench register --generator wrk runs it from its jar, a run after another with a higher FIRST)
local first = 10000000000
local counter = 0
local threads = {}
registered = 0 -- a global: done() reads each thread's with thread:get

function setup(thread)
  table.insert(threads, thread)
  thread:set("offset", #threads * 1000000000)
end

function init(args)
  first = tonumber(args[1]) or first
  counter = 0
end

function request()
  counter = counter + 1
  return wrk.format("GET", string.format("/register/%d", first + offset + counter))
end

function response(status, headers, body)
  if status == 200 then
    registered = registered + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("registered")
  end
  io.write(string.format("registered: %d\n", total))
end
