#!/usr/bin/env bash
# A scenarios config against the C reference and every engine, one after another (issue 26's "the config above, against
# the C reference and against each engine, exits 0"): per server, two copies sharing the port (SO_REUSEPORT: 20,258
# connections are more than one process may hold) on the servers' CPU, the load generator on the others (taskset).
#
#   bash loadgen/Shootout.LoadGen/bench/config-every-server.sh [ROUNDS] [CONFIG] [OUT_DIR]
#
# ROUNDS: default 1. CONFIG: a scenarios config whose target is 127.0.0.1:7000 (the port is replaced per server);
# default: issue 26's config, bench/issue-26.json (20,000 idle, 200 echoing at 4,000/s, 8 floods of 64 KiB, 50 probes every 10 ms,
# thresholds probe.p99<10ms and errors<1%). SERVERS="c threads async epoll uring" by default; SERVER_CPUS (default 1)
# and LOADGEN_CPUS (default 0); SERVER_ARGS: more arguments for shootout-server (e.g. "--backlog 16384"). Prints a line per server and round: the exit code, the probes' and the echoers' p50/p99,
# the floods' Jain index, the hints and the failed thresholds. Uses bin/ (make build). Measure on a quiet machine.
set -euo pipefail
rounds=${1:-1}; config=${2:-}; out=${3:-$(mktemp -d /tmp/config-every-server-XXXXXX)}
here=$(cd "$(dirname "$0")" && pwd); root=$(cd "$here/../../.." && pwd); bin=$root/bin
servers=${SERVERS:-c threads async epoll uring}; server_cpus=${SERVER_CPUS:-1}; loadgen_cpus=${LOADGEN_CPUS:-0}
mkdir -p "$out"
config=${config:-$here/issue-26.json}
bash "$root/tests/bench/references/build.sh" "$out/ref" c > /dev/null
pids=()
stop_servers() { for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; wait "$pid" 2> /dev/null || true; done; pids=(); }
trap stop_servers EXIT
# Two copies on one port; another port when the first is taken (a socket of an earlier run may still hold it).
start_servers() { # server dir
  for _ in $(seq 10); do
    port=$((20000 + RANDOM % 12000))
    for copy in 1 2; do
      if [[ $1 == c ]]; then taskset -c "$server_cpus" "$out/ref/c-epoll-echo" --port "$port" --threads 1 > "$2/server-$copy.log" 2>&1 &
      else taskset -c "$server_cpus" "$bin/shootout-server" --engine "$1" --port "$port" --bind 127.0.0.1 --metrics-port 0 --reuse-port \
        ${SERVER_ARGS:-} > "$2/server-$copy.log" 2>&1 &
      fi
      pids+=($!)
    done
    for _ in $(seq 100); do
      [[ $(ss -Hltn "sport = :$port" | wc -l) -ge 2 ]] && return
      grep -q -i "in use" "$2"/server-*.log && break
      sleep 0.05
    done
    stop_servers
  done
  echo "config-every-server.sh: $1 did not start: $(cat "$2"/server-*.log)" >&2; exit 1
}
for round in $(seq "$rounds"); do
  for server in $servers; do
    dir=$out/r$round-$server; mkdir -p "$dir"
    start_servers "$server" "$dir"
    sed "s/127.0.0.1:7000/127.0.0.1:$port/" "$config" > "$dir/config.json"
    code=0
    taskset -c "$loadgen_cpus" "$bin/shootout-loadgen" run --config "$dir/config.json" --report-dir "$dir" --server-cpus "$server_cpus" --plain \
      > "$dir/stdout.txt" 2>&1 || code=$?
    stop_servers
    python3 - "$dir/summary.json" "$server" "$round" "$code" << 'PY'
import json, os, sys
path, server, rnd, code = sys.argv[1:]
if not os.path.exists(path):
    print(f"round {rnd} {server:8} exit {code:3} no summary.json"); sys.exit()
d = json.load(open(path)); named = {s["name"]: s for s in d["scenarios"]}
def lat(name):
    l = named.get(name, {}).get("latency_us") or {}
    return f'{name} p50/p99 {l.get("p50")}/{l.get("p99")} us' if l else ""
floods = named.get("floods", {}).get("fairness") or {}
print(f'round {rnd} {server:8} exit {code:3} {lat("probe")}, {lat("echo")}, floods jain {floods.get("jain")}; '
      f'hints {[h["kind"] for h in d["hints"]]}; failed {[t["expr"] for t in d["thresholds"] if not t["passed"]]}')
PY
  done
done
