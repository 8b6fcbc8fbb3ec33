-- wrk script: producers registering at the balancer, each request a new one. GET /register/{id} for ids
-- FIRST + t*10^9 + 1, 2, ... on wrk thread t, so two threads, or two runs given FIRSTs 10^10 apart, never register
-- one producer twice. Counts the 200 answers (each an assignment the balancer wrote before answering) and prints
-- "acknowledged: N" after wrk's summary. With LIMIT, a thread stops once that many of its requests were answered
-- (wrk's -d is then the longest the run may take).
-- Use: wrk -t2 -c256 -d10s --latency -s register.lua http://HOST:PORT [-- FIRST [LIMIT]]
-- (tophat bench register runs it from its jar, a run after another with a FIRST 10^10 higher)
local first = 10000000000
local counter = 0
local limit = 0
local answered = 0
local threads = {}
acknowledged = 0 -- a global: done() reads each thread's with thread:get

function setup(thread)
  table.insert(threads, thread)
  thread:set("offset", #threads * 1000000000)
end

function init(args)
  first = tonumber(args[1]) or first
  limit = tonumber(args[2]) or 0
  counter = 0
  answered = 0
end

function request()
  counter = counter + 1
  return wrk.format("GET", string.format("/register/%d", first + offset + counter))
end

function response(status, headers, body)
  if status == 200 then
    acknowledged = acknowledged + 1
  end
  answered = answered + 1
  if limit > 0 and answered >= limit then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("acknowledged")
  end
  io.write(string.format("acknowledged: %d\n", total))
end
