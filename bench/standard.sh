#!/usr/bin/env bash
# TopHat's hot paths measured with the field's standard load generators (wrk, ab) against separate server
# processes, beside nginx (../shared/tools/reference-server, or any nginx with the same two locations) in the
# same sitting, one run after the other. Prints one markdown row per path: TopHat, nginx, ratio.
#
#   bench/standard.sh [--duration 5s] [--connections 256] [--ab-warmups 15] [--reference-server PATH]
#
# Starts, on loopback, a balancer and one worker (three for the ab rows, as the report's test), all with
# --auth none --producer-rate 0 (the report's open protocol, no limit in the way), one producer registered and
# heartbeating, then for each path a warm-up run and a measured run of the same command, TopHat first, then
# nginx; the ab rows twice, on fresh processes: after one warm-up run and after --ab-warmups runs. Uses
# $JAVA_HOME/bin/java when JAVA_HOME is set (JDK 25 is the faster runtime). Kills only what it started. Needs
# wrk and ab (apt-get install wrk apache2-utils). The ingest row runs the wrk scripts of
# server/src/main/resources/bench, which the jar carries for tophat bench ingest --generator wrk.
set -euo pipefail
cd "$(dirname "$0")/.."

duration=5s
connections=256
ab_warm=15
reference_server=../shared/tools/reference-server
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --ab-warmups) ab_warm=$2; shift 2 ;;
    --reference-server) reference_server=$2; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null && command -v ab >/dev/null || { echo "needs wrk and ab: apt-get install wrk apache2-utils" >&2; exit 2; }
[ -f server/target/tophat.jar ] || { echo "build first: mvn -q package -DskipTests" >&2; exit 2; }

java=${JAVA_HOME:+$JAVA_HOME/bin/}java
scripts=server/src/main/resources/bench # the wrk scripts, the same files tophat bench --generator wrk runs from its jar
dir=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
await_line() { for _ in $(seq 1 60); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.5; done; echo "no '$2' in $1" >&2; cat "$1" >&2; exit 1; }

"$reference_server" > "$dir/nginx.log" 2>&1 & pids+=($!)
await_line "$dir/nginx.log" "reference:"
ref=$(grep -o 'http://127.0.0.1:[0-9]*' "$dir/nginx.log" | head -1)

clusters=0
cluster_pids=()
start_cluster() { # $1: number of workers; stops the cluster started before, sets balancer, worker
  for p in "${cluster_pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  cluster_pids=()
  clusters=$((clusters + 1))
  local c=$dir/cluster$clusters bport; bport=$(free_port)
  mkdir -p "$c"
  "$java" -jar server/target/tophat.jar balancer --auth none --producer-rate 0 --host 127.0.0.1 --port "$bport" \
      --data-dir "$c/b" > "$c/balancer.log" 2>&1 & pids+=($!); cluster_pids+=($!)
  await_line "$c/balancer.log" "TopHat balancer on"
  balancer=http://127.0.0.1:$bport
  for i in $(seq 1 "$1"); do
    local wport; wport=$(free_port)
    "$java" -jar server/target/tophat.jar worker --auth none --producer-rate 0 --host 127.0.0.1 --port "$wport" \
        --balancer "127.0.0.1:$bport" --data-dir "$c/w$i" > "$c/worker$i.log" 2>&1 & pids+=($!); cluster_pids+=($!)
    await_line "$c/worker$i.log" "TopHat worker on port"
  done
  worker=$(curl -s "$balancer/register/3000")
  curl -s -o /dev/null -X POST -H 'Content-Type: application/json' \
      -d '{"id":"3000","location":{"lat":56.34,"lon":-2.79},"data":{"battery":87}}' "$worker/heartbeat"
}

# wrk: "rate p99" of a run (p99 in ms), after a warm-up run of the same command
wrk_run() {
  wrk -t2 -c"$connections" -d"$duration" "$@" > /dev/null 2>&1 || true
  local out; out=$(wrk -t2 -c"$connections" -d"$duration" --latency "$@" 2>&1)
  if echo "$out" | grep -q "Non-2xx or 3xx\|Socket errors"; then echo "$out" | grep "Non-2xx\|Socket errors" >&2; fi
  local rate p99
  rate=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}')
  echo "$rate $p99"
}

# ab: "rate p99 failed" of a run (p99 in ms), after $ab_warmups warm-up runs of the same command
ab_run() {
  for _ in $(seq 1 "$ab_warmups"); do ab "$@" > /dev/null 2>&1 || true; done
  local out; out=$(ab "$@" 2>&1)
  echo "$(echo "$out" | awk '/Requests per second/ {print $4}') $(echo "$out" | awk '$1 == "99%" {print $2}') $(echo "$out" | awk '/Failed requests/ {print $3}')"
}

row() { # label, tophat "rate p99 [failed]", nginx "rate p99 [failed]"
  python3 - "$1" "$2" "$3" <<'PY'
import sys
def cell(fields):
    f = fields.split()
    failed = f", {f[2]} failed" if len(f) > 2 else ""
    return f"{float(f[0]):,.0f}/s, p99 {f[1]} ms{failed}", float(f[0])
label, (t, tr), (n, nr) = sys.argv[1], cell(sys.argv[2]), cell(sys.argv[3])
print(f"| {label} | {t} | {n} | {tr / nr:.2f}x |")
PY
}

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $("$java" -version 2>&1 | head -1), wrk -t2 -c$connections -d$duration, load $(cut -d' ' -f1 /proc/loadavg)"
echo
echo "| path | TopHat | nginx, same sitting | ratio |"
echo "|---|---|---|---|"
start_cluster 1
row "balancer redirect \`GET /get_data/{id}\` (wrk)" "$(wrk_run "$balancer/get_data/3000")" "$(wrk_run "$ref/r")"
row "worker latest read \`GET /get_data/{id}\` (wrk)" "$(wrk_run "$worker/get_data/3000")" "$(wrk_run "$ref/ok")"
row "worker latest read \`GET /api/v1/producers/{id}\` (wrk)" "$(wrk_run "$worker/api/v1/producers/3000")" "$(wrk_run "$ref/ok")"
row "worker durable ingest \`POST /heartbeat\`, 10,000 producers (wrk, heartbeat.lua vs same-body.lua)" \
    "$(wrk_run -s "$scripts/heartbeat.lua" "$worker")" "$(wrk_run -s "$scripts/same-body.lua" "$ref/ok")"
# the report's test on fresh processes (one warm-up run, the issue's before), then again after more runs: a new
# connection's path (accept, pipeline, close) runs only a few thousand times per run, so the JIT compiles it late
for ab_warmups in 1 "$ab_warm"; do
  start_cluster 3
  row "\`ab -n 3000 -c 500\` balancer \`/get_data/{id}\`, no keep-alive, after $ab_warmups warm-up run(s)" \
      "$(ab_run -q -n 3000 -c 500 "$balancer/get_data/3000")" "$(ab_run -q -n 3000 -c 500 "$ref/r")"
  row "the same with \`-k\`" "$(ab_run -q -k -n 3000 -c 500 "$balancer/get_data/3000")" "$(ab_run -q -k -n 3000 -c 500 "$ref/r")"
done
