#!/usr/bin/env bash
# CPU profile of a running TopHat process (or any JVM) as a flame graph: attaches async-profiler for a while,
# then writes the collapsed stacks and an SVG rendered by bench/flamegraph.py.
#
#   bench/profile.sh PID SECONDS OUT [TITLE]      writes OUT.txt (collapsed stacks) and OUT.svg
#
# async-profiler comes from Maven Central (tools.profiler:async-profiler, its jar carries the native agent),
# fetched by Maven into ~/.m2 on first use. Run the load (wrk, ab) yourself meanwhile, after a warm-up, so the
# profile shows the steady state rather than the JIT compiling. Samples CPU time (perf events, falling back to
# timers where the kernel refuses them) every millisecond, in every thread, kernel frames included.
set -euo pipefail
[ $# -ge 3 ] || { sed -n '2,10p' "$0"; exit 2; }
pid=$1 seconds=$2 out=$3 title=${4:-"CPU profile of process $1"}
cd "$(dirname "$0")/.."
version=4.1
jar=~/.m2/repository/tools/profiler/async-profiler/$version/async-profiler-$version.jar
[ -f "$jar" ] || mvn -B -ntp -q dependency:get -Dartifact=tools.profiler:async-profiler:$version >/dev/null
lib_dir=$(mktemp -d)
trap 'rm -rf "$lib_dir"' EXIT
unzip -q -o "$jar" linux-x64/libasyncProfiler.so -d "$lib_dir"
lib=$lib_dir/linux-x64/libasyncProfiler.so
jcmd=${JAVA_HOME:+$JAVA_HOME/bin/}jcmd
# jcmd splits its arguments at '=', so the agent's options travel inside quotes
"$jcmd" "$pid" JVMTI.agent_load "$lib" "\"start,event=cpu,interval=1ms\"" >/dev/null
sleep "$seconds"
"$jcmd" "$pid" JVMTI.agent_load "$lib" "\"stop,collapsed,file=$(realpath -m "$out").txt\"" >/dev/null
python3 bench/flamegraph.py "$out.txt" "$out.svg" --title "$title"
echo "profile: $out.txt, $out.svg"
