# Sourced by the bench scripts that start echo servers of their own.
#   first_server_port BELOW    a port BELOW under the start of the kernel's ephemeral range, and under
#                              15000 (where the shootout runner starts that range when it widens it for a
#                              run): no client socket, and no port a concurrent run picks from the range,
#                              can be holding it. A port taken all the same: the caller moves on to the next.
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
