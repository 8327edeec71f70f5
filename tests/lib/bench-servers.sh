# Sourced by the bench scripts that start echo servers of their own.
#   first_server_port BELOW    a port BELOW under the start of the kernel's ephemeral range, and under
#                              15000 (where the shootout runner starts that range when it widens it for a
#                              run): no client socket, and no port a concurrent run picks from the range,
#                              can be holding it. A port taken all the same: the caller moves on to the next.
#   start_c_server TOOL CPU LOG [PREFIX...]
#                              starts the C reference server (bin/references/c-epoll-echo) on CPU (taskset, then
#                              PREFIX, e.g. chrt -f 1) on a port the kernel picks, its output in LOG; sets server (its
#                              PID, for the caller's trap to stop) and port. Says why on stderr, as TOOL, and exits 1 if
#                              it dies or does not say its port within 5 s.
#   until_steady CMD...        waits (up to 10 s) until CMD prints the same twice, 0.5 s apart: e.g. a
#                              server's descriptor count once it has closed a warm-up's connections.

first_server_port() {
  local lo hi low
  read -r lo hi < /proc/sys/net/ipv4/ip_local_port_range
  low=$(( lo < 15000 ? lo : 15000 ))
  if (( low > $1 + 1024 )); then echo $(( low - $1 ))
  elif (( hi < 64000 )); then echo $(( hi + 100 ))
  else echo "ip_local_port_range ($lo-$hi) leaves no ports outside it; trying 7100 onwards" >&2; echo 7100; fi
}

until_steady() {
  local prev= cur _
  for _ in $(seq 20); do
    sleep 0.5
    cur=$("$@")
    [ "$cur" = "$prev" ] && return 0
    prev=$cur
  done
}

start_c_server() {
  local tool=$1 cpu=$2 log=$3 _
  shift 3
  taskset -c "$cpu" "$@" "$root/bin/references/c-epoll-echo" --port 0 > "$log" 2>&1 &
  server=$!
  port=
  for _ in $(seq 100); do
    port=$(sed -n 's/.*listening=[^ ]*:\([0-9]*\).*/\1/p' "$log")
    [ -n "$port" ] && return 0
    kill -0 "$server" 2> /dev/null || { echo "$tool: the C server died: $(cat "$log")" >&2; exit 1; }
    sleep 0.05
  done
  echo "$tool: the C server did not say which port it listens on" >&2
  exit 1
}
