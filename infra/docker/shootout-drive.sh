#!/usr/bin/env bash
# Drives the shootout against each engine in turn: ramp SHOOTOUT_CONNECTIONS idle connections and
# hold them (hold, metrics on :9200); once they are all open, echo over a few more connections
# beside them (echo, metrics on :9201) so latency is measured under the idle load; then let go,
# pause so the drop shows on the dashboard, and move to the next engine.
# Reports land in /results/<engine>/{hold,echo}. Exit status: 0 when every run was clean; 1 when a
# run failed or a ramp never reached its target (the log line names the engine and what was held).
set -uo pipefail

engines=${SHOOTOUT_ENGINES:-"threads=127.0.0.1:7001 async=127.0.0.1:7002 epoll=127.0.0.1:7003 uring=127.0.0.1:7004"}
connections=${SHOOTOUT_CONNECTIONS:-1000000}
connect_rate=${SHOOTOUT_CONNECT_RATE:-20000}
echo_connections=${SHOOTOUT_ECHO_CONNECTIONS:-1000}
echo_rate=${SHOOTOUT_ECHO_RATE:-10000}
echo_seconds=${SHOOTOUT_ECHO_SECONDS:-60}
settle_seconds=${SHOOTOUT_SETTLE_SECONDS:-15}
pause_seconds=${SHOOTOUT_PAUSE_SECONDS:-30}
results=${SHOOTOUT_RESULTS:-/results}
# Where the load generator's runs serve their metrics: infra/prometheus/prometheus.yml scrapes these.
hold_metrics=${SHOOTOUT_HOLD_METRICS_PORT:-9200}
echo_metrics=${SHOOTOUT_ECHO_METRICS_PORT:-9201}
# Every (source port, destination) pair is one connection: ~60,000 source ports per destination
# address, so spread over enough of 127.0.0.x (the whole of 127/8 is loopback).
dest_addresses=${SHOOTOUT_DEST_ADDRESSES:-$(( connections / 50000 + 1 ))}
ramp_seconds=$(( (connections + connect_rate - 1) / connect_rate ))
# How much longer than planned a ramp may take (a loaded host connects slower than asked).
ramp_slack=${SHOOTOUT_RAMP_SLACK_SECONDS:-$(( ramp_seconds + 60 ))}

log() { echo "shootout-drive: $*"; }

for knob in connections connect_rate echo_connections echo_rate echo_seconds settle_seconds pause_seconds dest_addresses ramp_slack hold_metrics echo_metrics; do
  [[ ${!knob} =~ ^[0-9]+$ ]] || { log "$knob must be a whole number (got '${!knob}')"; exit 2; }
done
(( connections > 0 && connect_rate > 0 && dest_addresses > 0 )) || { log "connections, connect rate and destination addresses must be above 0"; exit 2; }

# Reads one unlabelled-or-labelled gauge from a local /metrics endpoint (bash's /dev/tcp: the
# runtime image has no curl). Prints the sum of the samples, 0 when absent.
metric() {
  local port=$1 name=$2 body
  body=$( { exec 3<>"/dev/tcp/127.0.0.1/$port" && printf 'GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3 && cat <&3; } 2>/dev/null ) || { echo 0; return; }
  awk -v n="$name" '$1 ~ "^"n"({|$)" { s += $NF } END { printf "%d\n", s }' <<<"$body"
}

status=0
for spec in $engines; do
  engine=${spec%%=*} target=${spec#*=}
  log "$engine: ramping to $connections connections at $connect_rate/s over $dest_addresses addresses of $target"
  # The hold lasts its planned ramp plus --duration. The echo starts once the ramp is seen complete,
  # at most ramp_slack seconds late, so --duration covers that lag as well as the echo and the
  # settling either side of it: the echo always runs beside the held connections.
  shootout-loadgen hold --target "$target" --connections "$connections" --connect-rate "$connect_rate" \
      --duration "$(( ramp_slack + settle_seconds + echo_seconds + settle_seconds + 5 ))s" --dest-addresses "$dest_addresses" \
      --metrics-port "$hold_metrics" --report-dir "$results/$engine/hold" --plain &
  hold=$!

  # Echo once the ramp is complete; give up when the hold ended or the ramp is ramp_slack late.
  deadline=$(( SECONDS + ramp_seconds + ramp_slack ))
  held=0 reached=false
  while kill -0 "$hold" 2>/dev/null && (( SECONDS < deadline )); do
    held=$(metric "$hold_metrics" shootout_loadgen_connections)
    (( held >= connections )) && { reached=true; break; }
    sleep 1
  done

  if [ "$reached" = true ]; then
    sleep "$settle_seconds"
    log "$engine: echo at $echo_rate/s over $echo_connections connections for ${echo_seconds}s beside the idle ones"
    shootout-loadgen echo --target "$target" --connections "$echo_connections" --rate "$echo_rate" \
        --duration "${echo_seconds}s" --metrics-port "$echo_metrics" --report-dir "$results/$engine/echo" --plain \
      || { log "$engine: echo run failed"; status=1; }
  elif kill -0 "$hold" 2>/dev/null; then
    log "$engine: FAILED: the ramp held $held of $connections connections after $(( ramp_seconds + ramp_slack ))s; echo skipped"
    status=1
    kill -INT "$hold" 2>/dev/null
  else
    log "$engine: FAILED: the hold ended having held $held of $connections connections; echo skipped"
    status=1
  fi
  wait "$hold" || { log "$engine: hold run failed"; status=1; }
  log "$engine: done; reports in $results/$engine"
  sleep "$pause_seconds"
done
log "finished (status $status); Grafana keeps the history"
exit "$status"
