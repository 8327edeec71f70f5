# Sourced by the scripts that need kernel limits raised for a run: as root they are set and said,
# otherwise what limits the run is said; at the end they go back to what they were.
#   sysctl_at_least KEY VALUE [WHO]   raise a numeric KEY to VALUE if it is lower (never lowers it)
#   sysctl_set KEY VALUE [WHO]        set KEY (e.g. a port range) to VALUE for the run
#   sysctl_put_back                   from the script's EXIT trap, once its processes are gone
sysctl_changed=()

sysctl_set() {
  local key=$1 want=$2 who=${3:-this run} have
  have=$(sysctl -n "$key" | tr '\t' ' ')
  [ "$have" = "$want" ] && return 0
  if [ "$(id -u)" = 0 ]; then
    sysctl -qw "$key=$want" && sysctl_changed=("$key=$have" "${sysctl_changed[@]}") && echo "sysctl $key: $have -> $want"
  else
    echo "sysctl $key is $have; $who needs $want (run as root to raise it)"
  fi
}

sysctl_at_least() {
  local have
  have=$(sysctl -n "$1")
  (( have >= $2 )) || sysctl_set "$@"
}

sysctl_put_back() {
  local change
  for change in "${sysctl_changed[@]}"; do
    sysctl -qw "$change" && echo "sysctl ${change%%=*}: put back to ${change#*=}"
  done
  sysctl_changed=()
}
