-- wrk script: the reference for heartbeat.lua, the same ~200-byte JSON body posted as a constant, so nginx's
-- POST /ok does the same network work. Use: wrk -t2 -c256 -d60s --latency -s same-body.lua http://HOST:PORT/ok
-- (tophat bench ingest --generator wrk --reference URL runs it from its jar; bench/standard.sh from
-- server/src/main/resources/bench)
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"id":"1000000","seq":1,"location":{"lat":56.3398,"lon":-2.7967,"accuracy":8.5,"speed":1.4},'
  .. '"data":{"temperature":21.5,"humidity":48,"noise_db":41.2,"battery":87,"steps":12034,'
  .. '"activity":"walking","app":"tophat-wrk"}}'
