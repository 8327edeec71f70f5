#!/usr/bin/env bash
# make compose-smoke: the project's docker-compose.yml, started for real at small scale.
#
# podman (runtime runc, named by CONTAINERS_CONF) serves the Docker API on a private socket;
# Debian's docker-compose drives it with the project's compose file, tests/compose/override.yml
# and the environment below (the only changes this host needs). The image is built from
# infra/docker/Dockerfile unmodified, on stand-in bases where the official ones cannot be pulled
# (tests/compose/stand-in-images.sh, cached in $SHOOTOUT_CACHE). Then, through Prometheus's own API,
# every engine must have reached the target and the echo latency, throughput and bytes-per-connection
# rules must have data for every engine; the reports in the results volume must say ok (copied to
# results/compose-latest/); the stack's own network namespace must have no netfilter rules and no
# tracked connections. Everything is torn down on exit, whatever happened: containers, pods, volumes,
# the network, the API service, and the host's netfilter rules and ip_forward as they were before.
# A failure names the step it happened in.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD

export SHOOTOUT_CACHE=${SHOOTOUT_CACHE:-/var/cache/shootout}
connections=${SHOOTOUT_SMOKE_CONNECTIONS:-3000}
engines=(threads async epoll uring)
start=$SECONDS
step=setup

say() { echo "compose-smoke: [$(( SECONDS - start ))s] $*"; }
begin() { step=$1; say "$step"; }
fail() { echo "compose-smoke: FAILED in step '$step': $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "needs root (a rootful podman: the stack's sysctls and ulimits)"
mkdir -p "$SHOOTOUT_CACHE"
# One smoke run at a time on a host: they share the image cache.
exec 9>"$SHOOTOUT_CACHE/smoke.lock"
flock -w 900 9 || fail "another compose-smoke holds $SHOOTOUT_CACHE/smoke.lock"

work=$(mktemp -d /tmp/shootout-compose.XXXXXX)
project=shootout-smoke-$$
service_pid='' health_pid=''
# podman records its run root in its database (under graphroot) and keeps using the recorded one: one
# fixed path, removed after each run.
runroot=/run/shootout-podman

# podman: runc (crun cannot run on a cgroup hybrid host), no systemd (cgroupfs, file events), its
# own storage (the image cache) and network configuration: nothing of it touches /etc.
cat >"$work/containers.conf" <<CONF
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$work/events.log"
[containers]
# Containers without ulimits of their own get podman's defaults (nofile and nproc 1048576), above
# what this host's engine may grant (no CAP_SYS_RESOURCE): the host's file limit and a few thousand
# processes instead (those services run a handful).
default_ulimits = ["nofile=$(ulimit -Hn):$(ulimit -Hn)", "nproc=4096:4096"]
[network]
network_config_dir = "$work/networks"
CONF
cat >"$work/storage.conf" <<CONF
[storage]
driver = "overlay"
graphroot = "$SHOOTOUT_CACHE/storage"
runroot = "$runroot"
CONF
export CONTAINERS_CONF=$work/containers.conf CONTAINERS_STORAGE_CONF=$work/storage.conf
export DOCKER_HOST=unix://$work/podman.sock COMPOSE_PROJECT_NAME=$project
compose=(docker-compose -f "$repo/docker-compose.yml" -f "$repo/tests/compose/override.yml")
# A database that recorded another run root (and holds no containers: every run removes its own) is
# only state: dropped, so this run's configuration is the one in force.
if [ "$(podman info --format '{{.Store.RunRoot}}' 2>/dev/null)" != "$runroot" ] && [ -z "$(podman ps -aq 2>/dev/null)" ]; then
  rm -f "$SHOOTOUT_CACHE/storage/libpod/bolt_state.db"
fi

# The host's netfilter state before anything here ran, to put back exactly.
nft list ruleset >"$work/nft.before" 2>/dev/null
ip_forward_before=$(cat /proc/sys/net/ipv4/ip_forward)

teardown() {
  local rc=$? left=''
  set +e
  trap - EXIT
  [ "$rc" -eq 0 ] || step_failed=$step
  step=teardown
  say "teardown"
  if [ -n "$health_pid" ]; then
    kill -- "-$(cat "$work/healthchecks.pgid" 2>/dev/null || echo "$health_pid")" 2>/dev/null || kill "$health_pid" 2>/dev/null
    wait "$health_pid" 2>/dev/null
  fi
  if [ -n "$service_pid" ]; then
    # `down` races on the shared-namespace container: a second pass removes what the first left.
    for pass in 1 2; do
      timeout 120 "${compose[@]}" down --volumes --remove-orphans --timeout 5 >>"$work/down.log" 2>&1 && break
    done
  fi
  local ids
  ids=$(podman ps -aq --filter "label=com.docker.compose.project=$project" 2>/dev/null)
  [ -z "$ids" ] || podman rm -f $ids >/dev/null 2>&1
  ids=$(podman pod ps -q --filter "label=com.docker.compose.project=$project" 2>/dev/null)
  [ -z "$ids" ] || podman pod rm -f $ids >/dev/null 2>&1
  ids=$(podman volume ls -q --filter "label=com.docker.compose.project=$project" 2>/dev/null)
  [ -z "$ids" ] || podman volume rm -f $ids >/dev/null 2>&1
  podman network rm -f "${project}_default" >/dev/null 2>&1
  if [ -n "$service_pid" ]; then
    kill "$service_pid" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$service_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$service_pid" 2>/dev/null
    wait "$service_pid" 2>/dev/null
  fi
  # Whatever netfilter state the container network added goes: tables that were not there before
  # are deleted, and if that is not all, the ruleset from before is loaded back.
  nft list ruleset >"$work/nft.after" 2>/dev/null
  if ! cmp -s "$work/nft.before" "$work/nft.after"; then
    nft list tables 2>/dev/null | while read -r _ family table; do
      grep -q "^table $family $table {" "$work/nft.before" || nft delete table "$family" "$table" 2>/dev/null
    done
    nft list ruleset >"$work/nft.after" 2>/dev/null
    if ! cmp -s "$work/nft.before" "$work/nft.after"; then
      { echo 'flush ruleset'; cat "$work/nft.before"; } | nft -f -
      nft list ruleset >"$work/nft.after" 2>/dev/null
    fi
    cmp -s "$work/nft.before" "$work/nft.after" || left+=" nft-rules"
  fi
  [ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$ip_forward_before" ] || echo "$ip_forward_before" >/proc/sys/net/ipv4/ip_forward
  [ -z "$(podman ps -aq --filter "label=com.docker.compose.project=$project")" ] || left+=" containers"
  [ -z "$(podman pod ps -q --filter "label=com.docker.compose.project=$project")" ] || left+=" pods"
  [ -z "$(podman volume ls -q --filter "label=com.docker.compose.project=$project")" ] || left+=" volumes"
  { [ -n "$service_pid" ] && kill -0 "$service_pid" 2>/dev/null; } && left+=" podman-service"
  ip link show 2>/dev/null | grep -q 'cni-podman' && left+=" bridge"
  rm -rf "/var/lib/cni/networks/${project}_default"
  [ -n "$(podman ps -aq 2>/dev/null)" ] || rm -rf --one-file-system "$runroot"
  if [ -n "$left" ]; then
    echo "compose-smoke: FAILED in step 'teardown': left behind:$left (logs in $work)" >&2
    rc=1
  elif [ "$rc" -ne 0 ]; then
    echo "compose-smoke: FAILED in step '$step_failed' (logs in $work)" >&2
  else
    rm -rf "$work"
  fi
  say "$([ "$rc" -eq 0 ] && echo passed || echo failed) in $(( SECONDS - start ))s"
  exit "$rc"
}
trap teardown EXIT
trap 'exit 130' INT TERM

begin "base images"
bash "$repo/tests/compose/stand-in-images.sh" || fail "the base images could not be had (see above)"

begin "build the image from infra/docker/Dockerfile"
# The build's RUN steps restore NuGet packages: on the host's network, so no container network
# (and no NAT rules) exists before the stack starts.
podman build --pull=never --network=host -f infra/docker/Dockerfile -t echo-shootout:latest . >"$work/build.log" 2>&1 \
  || { tail -30 "$work/build.log" >&2; fail "podman build failed"; }

begin "start the Docker API (podman system service)"
podman system service --time=0 "unix://$work/podman.sock" >"$work/service.log" 2>&1 &
service_pid=$!
for _ in $(seq 300); do
  curl -sf --unix-socket "$work/podman.sock" http://d/_ping >/dev/null 2>&1 && break
  kill -0 "$service_pid" 2>/dev/null || { cat "$work/service.log" >&2; fail "podman system service exited"; }
  sleep 0.1
done
curl -sf --unix-socket "$work/podman.sock" http://d/_ping >/dev/null || fail "no API on $work/podman.sock after 30 s"

# Healthchecks run only when something runs them (podman schedules them with systemd timers).
# Its own process group, so that stopping it stops a check in flight too.
setsid bash -c 'echo $$ >"$2"; while true; do
    for id in $(podman ps -q --filter "label=com.docker.compose.project=$1" 2>/dev/null); do
      podman healthcheck run "$id" >/dev/null 2>&1
    done
    sleep 2
  done' healthchecks "$project" "$work/healthchecks.pgid" &
health_pid=$!

# This host: ulimits within the engine's own hard limits (no CAP_SYS_RESOURCE to go beyond them),
# host-wide sysctls only printed (a shared host keeps its settings), Prometheus on a free loopback
# port, and a small scale with short waits. nproc: what the run needs (the threads engine's thread per
# connection, all of the stack's `app` processes counted together), no more. podman caps its own nproc
# at kernel.pid_max when each of its processes starts, and `podman healthcheck run` starts new ones:
# a limit taken from a moment when something else had raised pid_max fails those checks later.
hard_limit() { awk -v name="$1" '$0 ~ "^"name { print $(NF - 1) }' "/proc/$service_pid/limits"; }
nproc=$(( 2 * connections + 4096 ))
(( nproc <= $(hard_limit 'Max processes') )) || nproc=$(hard_limit 'Max processes')
prometheus_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export SHOOTOUT_NOFILE=$(hard_limit 'Max open files') SHOOTOUT_NPROC=$nproc SHOOTOUT_HOST_SYSCTLS=off \
  SHOOTOUT_PROMETHEUS_PORT=127.0.0.1:$prometheus_port \
  SHOOTOUT_CONNECTIONS=$connections SHOOTOUT_CONNECT_RATE=1500 SHOOTOUT_DEST_ADDRESSES=2 SHOOTOUT_RAMP_SLACK_SECONDS=10 \
  SHOOTOUT_ECHO_CONNECTIONS=50 SHOOTOUT_ECHO_RATE=500 SHOOTOUT_ECHO_SECONDS=8 SHOOTOUT_SETTLE_SECONDS=2 SHOOTOUT_PAUSE_SECONDS=2

say "  nofile $SHOOTOUT_NOFILE (the engine's hard limit), nproc $SHOOTOUT_NPROC, Prometheus on 127.0.0.1:$prometheus_port"
begin "docker-compose up -d (every service but grafana)"
timeout 300 "${compose[@]}" up -d --no-build loadgen >"$work/up.log" 2>&1 \
  || { cat "$work/up.log" >&2; fail "docker-compose up failed"; }

begin "wait for the load generator"
loadgen=$(podman ps -aq --filter "label=com.docker.compose.project=$project" --filter "label=com.docker.compose.service=loadgen")
[ -n "$loadgen" ] || fail "no loadgen container"
code=$(timeout 400 podman wait "$loadgen") || fail "the load generator did not finish within 400 s"
podman logs "$loadgen" >"$work/loadgen.log" 2>&1
sed 's/^/  loadgen: /' "$work/loadgen.log" | grep 'shootout-drive' || true
[ "$code" = 0 ] || { tail -40 "$work/loadgen.log" >&2; fail "the load generator exited $code"; }

begin "Prometheus: every engine reached $connections connections; the rules have data"
query() {
  curl -sf --max-time 20 "http://127.0.0.1:$prometheus_port/api/v1/query" --data-urlencode "query=$1" \
    | jq -r '.data.result[] | "\(.metric.engine) \(.value[1])"'
}
check() {  # check WHAT PROMQL MIN: every engine has a value of at least MIN
  local what=$1 promql=$2 min=$3 result engine value
  result=$(query "$promql") || fail "query failed: $promql"
  for engine in "${engines[@]}"; do
    value=$(awk -v e="$engine" '$1 == e { print $2 }' <<<"$result")
    [ -n "$value" ] || fail "$what: no data for $engine ($promql)"
    awk -v v="$value" -v m="$min" 'BEGIN { exit !(v + 0 >= m + 0) }' || fail "$what: $engine has $value, wanted >= $min ($promql)"
    say "  $what: $engine $value"
  done
}
window=30m
check "servers held" "max by (engine) (max_over_time(engine:shootout_server_connections:sum[$window]))" "$connections"
check "hold held" "max by (engine) (max_over_time(shootout_loadgen_connections{instance=\"127.0.0.1:9200\"}[$window]))" "$connections"
check "echo p99 latency (s)" "max by (engine) (max_over_time(engine_target:shootout_loadgen_latency_seconds:p99_10s[$window]))" 1e-9
check "echo throughput (ok/s)" "max by (engine) (max_over_time(engine_target_result:shootout_loadgen_messages:rate10s{result=\"ok\"}[$window]))" 1
check "user bytes per connection" "max by (engine) (max_over_time(engine:shootout_server_user_bytes_per_connection:ratio[$window]))" 1

begin "the stack's network namespace: no netfilter rules, no tracked connections"
netns_pid=$(podman inspect --format '{{.State.Pid}}' "$(podman ps -q --filter "label=com.docker.compose.project=$project" --filter "label=com.docker.compose.service=netns")")
[ -n "$netns_pid" ] && [ "$netns_pid" != 0 ] || fail "the netns container is not running"
rules=$(nsenter -t "$netns_pid" -n nft list ruleset)
[ -z "$rules" ] || fail "the stack's namespace has netfilter rules: $rules"
tracked=$(nsenter -t "$netns_pid" -n cat /proc/sys/net/netfilter/nf_conntrack_count 2>/dev/null || echo 0)
[ "$tracked" = 0 ] || fail "the stack's namespace tracks $tracked connections"
say "  none, and $tracked tracked connections (the host's table holds $(cat /proc/sys/net/netfilter/nf_conntrack_count 2>/dev/null || echo '?'))"

begin "reports in the results volume say ok"
volume=$(podman volume inspect --format '{{.Mountpoint}}' "${project}_results") || fail "no results volume"
cp -r "$volume" "$work/results"
for engine in "${engines[@]}"; do
  for phase in hold echo; do
    summary=$work/results/$engine/$phase/summary.json
    [ -s "$summary" ] || fail "no $engine/$phase/summary.json in the results volume"
    status=$(jq -r .status "$summary")
    [ "$status" = ok ] || fail "$engine/$phase says '$status': $(jq -c '{status, message}' "$summary")"
  done
done
rm -rf "$repo/results/compose-latest"
mkdir -p "$repo/results"
cp -r "$work/results" "$repo/results/compose-latest"
say "  ok; copied to results/compose-latest/"
