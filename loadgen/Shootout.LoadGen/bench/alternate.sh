#!/usr/bin/env bash
# Old against new load generator, alternating over rounds, against the C reference server (issue 26's "not slower"
# and "same figures as before"): what the generator itself can drive, and the neighbours command's figures, with the
# same flags in both builds (the old build's own neighbours run, the new one's three scenarios on the scenario engine).
#
#   bash loadgen/Shootout.LoadGen/bench/alternate.sh OLD_BIN NEW_BIN [ROUNDS] [OUT_DIR]
#
# OLD_BIN, NEW_BIN: two published bin/ directories (make build in two worktrees). ROUNDS: default 5. Per round and
# build, in alternating order (old first in odd rounds, new first in even): connections opened per second (a hold of
# 15,000 at an unbounded connect rate), closed-loop messages per second (1,000 connections × 64 B, 5 s), and the
# neighbours: probe p99 and the floods' Jain index (16 floods of 64 KiB, 1 never-reading, 100 probes every 10 ms,
# 10 s). Each summary.json is read in its own shape (old: probes/floods sections; new: the probes and floods scenarios).
# The server runs on CPU 1 and the generator on CPU 0 (taskset); a fresh server per measurement.
# Prints each ratio new/old as the median over rounds with its min and max; rows go to OUT_DIR/rows.tsv.
# Measure on a quiet machine: check uptime first, and repeat a run that a build disturbed.
set -euo pipefail
# Both builds without tier-up, as the runner starts every generator (Processes/LoadGenRuntime.cs): with it, the JIT's
# thread still took a quarter of a neighbours run's samples seconds in, and the floods' bytes followed it.
export DOTNET_TieredCompilation=0
old=${1:?OLD_BIN}; new=${2:?NEW_BIN}; rounds=${3:-5}; out=${4:-$(mktemp -d /tmp/loadgen-ab-XXXXXX)}
here=$(cd "$(dirname "$0")" && pwd); root=$(cd "$here/../../.." && pwd)
mkdir -p "$out"
bash "$root/tests/bench/references/build.sh" "$out/ref" c > /dev/null
server_pid=
stop_server() { [[ -n $server_pid ]] && kill "$server_pid" 2> /dev/null && wait "$server_pid" 2> /dev/null; server_pid=; }
trap stop_server EXIT
# A port picked at random can still be taken (a socket of an earlier run's thousands still holding it as its local
# port): on "Address already in use" another port is tried, and $port names the one the server got.
start_server() {
  for _ in $(seq 10); do
    taskset -c 1 "$out/ref/c-epoll-echo" --port "$port" --threads 1 > "$out/server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 100); do grep -q listening "$out/server.log" && return; kill -0 "$server_pid" 2> /dev/null || break; sleep 0.05; done
    stop_server
    grep -q "in use" "$out/server.log" || break
    port=$((20000 + RANDOM % 12000))
  done
  echo "alternate.sh: the C reference did not start: $(cat "$out/server.log")" >&2; exit 1
}
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$1" "$2"; }
# A neighbours figure from either build's summary.json: old (its own shape) or new (the probes and floods scenarios).
neighbours() { # summary.json p99|jain|flood_mean
  python3 - "$1" "$2" << 'PY'
import json, sys
d = json.load(open(sys.argv[1])); what = sys.argv[2]
named = {s["name"]: s for s in d.get("scenarios", [])}
if "probes" in named:
    p, f = named["probes"], named.get("floods")
    print({"p99": p["latency_us"]["p99"], "jain": (f or {}).get("fairness", {}).get("jain"),
           "flood_mean": f and f["bytes"]["received"] / f["duration_s"] / max(1, f["connections"]["established"])}[what])
else:
    print({"p99": d["probes"]["latency_us"]["p99"], "jain": d["floods"]["jain_index"], "flood_mean": d["floods"]["mean_bytes_per_s"]}[what])
PY
}
measure() { # build-name bin-dir round
  local name=$1 bin=$2 round=$3 dir
  port=$((20000 + RANDOM % 12000))
  dir="$out/r$round-$name"; mkdir -p "$dir"
  start_server
  taskset -c 0 "$bin/shootout-loadgen" hold --target 127.0.0.1:$port --connections 15000 --connect-rate 10000000 --duration 1s \
    --report-dir "$dir/hold" --plain > "$dir/hold.log" 2>&1 || true
  stop_server; start_server
  taskset -c 0 "$bin/shootout-loadgen" echo --closed --target 127.0.0.1:$port --connections 1000 --message-size 64 --duration 5s \
    --report-dir "$dir/closed" --plain > "$dir/closed.log" 2>&1 || true
  stop_server; start_server
  "$bin/shootout-loadgen" neighbours --target 127.0.0.1:$port --floods 16 --message-size 64KiB --never-reading 1 --probes 100 \
    --probe-interval 10ms --duration 10s --report-dir "$dir/neighbours" > "$dir/neighbours.log" 2>&1 || true
  stop_server
  printf '%s\t%s\t%s\t%s\n' "$round" "$name" connects_per_s "$(json "$dir/hold/summary.json" "d['connect_rate_per_s']")" >> "$out/rows.tsv"
  printf '%s\t%s\t%s\t%s\n' "$round" "$name" closed_msgs_per_s "$(json "$dir/closed/summary.json" "d['rate']['achieved']")" >> "$out/rows.tsv"
  for figure in p99 jain flood_mean; do
    printf '%s\t%s\t%s\t%s\n' "$round" "$name" "neighbours_$figure" "$(neighbours "$dir/neighbours/summary.json" $figure)" >> "$out/rows.tsv"
  done
}
: > "$out/rows.tsv"
echo "load before: $(uptime)"
for round in $(seq "$rounds"); do
  if (( round % 2 )); then measure old "$old" "$round"; measure new "$new" "$round"
  else measure new "$new" "$round"; measure old "$old" "$round"; fi
  echo "round $round done: $(uptime)"
done
python3 - "$out/rows.tsv" << 'PY'
import sys, statistics, collections
rows = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    r, build, metric, value = line.rstrip("\n").split("\t")
    if value not in ("", "None"): rows[(metric, build)][r] = float(value)
for metric in ["connects_per_s", "closed_msgs_per_s", "neighbours_p99", "neighbours_jain", "neighbours_flood_mean"]:
    for build in ["new"]:
        a, b = rows.get((metric, build), {}), rows.get((metric, "old"), {})
        ratios = [a[r] / b[r] for r in a if r in b and b[r]]
        if ratios:
            print(f"{metric:26} {build:14}/old  median {statistics.median(ratios):.3f}  min {min(ratios):.3f}  max {max(ratios):.3f}  rounds {len(ratios)}")
PY
echo "rows: $out/rows.tsv"
