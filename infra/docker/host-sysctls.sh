#!/bin/sh
# One-shot, privileged: raises the host-wide kernel limits a million connections need. These are
# not namespaced, so they cannot be set per container; every other service waits for this one.
#   fs.nr_open           ceiling for RLIMIT_NOFILE: must exceed the services' nofile ulimit
#                        before they start, or their containers fail to start
#   fs.file-max          open files host-wide: a million server sockets plus a million client ones
#   vm.max_map_count     the threads engine maps a stack and a guard page per connection thread
#   kernel.pid_max,      the threads engine runs a thread per connection
#   kernel.threads-max
# A value is only ever raised: a host already configured higher keeps its setting.
set -eu

raise() {
  key=$1 want=$2
  file=/proc/sys/$(echo "$key" | tr . /)
  have=$(cat "$file")
  if [ "$have" -lt "$want" ]; then
    echo "$want" > "$file"
    echo "$key: $have -> $(cat "$file")"
  else
    echo "$key: $have (already >= $want)"
  fi
}

raise fs.nr_open "${SHOOTOUT_NR_OPEN:-2097152}"
raise fs.file-max "${SHOOTOUT_FILE_MAX:-8388608}"
raise vm.max_map_count "${SHOOTOUT_MAX_MAP_COUNT:-4194304}"
raise kernel.pid_max "${SHOOTOUT_PID_MAX:-4194304}"
raise kernel.threads-max "${SHOOTOUT_THREADS_MAX:-4194304}"
