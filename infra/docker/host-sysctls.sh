#!/bin/sh
# One-shot, privileged: raises the host-wide kernel limits a million connections need. These are
# not namespaced, so they cannot be set per container; every other service waits for this one.
#   fs.nr_open           ceiling for RLIMIT_NOFILE: must exceed the services' nofile ulimit
#                        before they start, or their containers fail to start
#   fs.file-max          open files host-wide: a million server sockets plus a million client ones
#   vm.max_map_count     the threads engine maps a stack and a guard page per connection thread
#   kernel.pid_max,      the threads engine runs a thread per connection
#   kernel.threads-max
# A value is only ever raised: a host already configured higher keeps its setting. What this
# raises stays raised once the stack is gone (a one-shot cannot put it back): on a host that is not
# lent to the shootout, set SHOOTOUT_HOST_SYSCTLS=off, which only prints what a run would want, and
# lower SHOOTOUT_CONNECTIONS and SHOOTOUT_NOFILE to what the host's own settings allow.
set -eu

mode=${SHOOTOUT_HOST_SYSCTLS:-raise}
case $mode in
  raise|off) ;;
  *) echo "host-sysctls: SHOOTOUT_HOST_SYSCTLS must be 'raise' or 'off' (got '$mode')" >&2; exit 2 ;;
esac

raise() {
  key=$1 want=$2
  case $want in
    ''|*[!0-9]*) echo "host-sysctls: the wanted value for $key must be a number (got '$want')" >&2; exit 2 ;;
  esac
  file=/proc/sys/$(echo "$key" | tr . /)
  have=$(cat "$file")
  if [ "$have" -ge "$want" ]; then
    echo "$key: $have (already >= $want)"
  elif [ "$mode" = off ]; then
    echo "$key: $have (a run at full scale wants $want; left alone: SHOOTOUT_HOST_SYSCTLS=off)"
  else
    echo "$want" > "$file"
    echo "$key: $have -> $(cat "$file")"
  fi
}

raise fs.nr_open "${SHOOTOUT_NR_OPEN:-2097152}"
raise fs.file-max "${SHOOTOUT_FILE_MAX:-8388608}"
raise vm.max_map_count "${SHOOTOUT_MAX_MAP_COUNT:-4194304}"
raise kernel.pid_max "${SHOOTOUT_PID_MAX:-4194304}"
raise kernel.threads-max "${SHOOTOUT_THREADS_MAX:-4194304}"
