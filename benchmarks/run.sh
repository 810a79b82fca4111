#!/usr/bin/env bash
# Runs the holdport benchmarks: holdport side by side with a direct connection, HAProxy
# (mode tcp) and nginx (stream). Usage:
#
#   benchmarks/run.sh [SCENARIO...] [--quick] [more options: benchmarks/run.sh --help]
#
# Scenarios: bulk keepalive newconn hold deploy iperf3 wrk (default: all).
# Full runs write benchmarks/results/<date>-<host>.{md,json,png}; --quick runs write to
# benchmarks/target/quick-results/ unless --out says otherwise. Peers that are not installed
# (see benchmarks/setup.sh) are reported as skipped.
#
# Set BENCH_KEEP_WORK=1 to keep the generated configs and server logs after a successful run
# (they are always kept after a failed one).
#
# Every server the run starts is stopped by its PID at the end, also on Ctrl-C: the Java side
# stops them itself, and this script's trap stops any PID still listed in the run's pid file.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
bench_jar="$here/target/benchmarks.jar"
holdport_jar="$root/admin-api/target/holdport.jar"

if [ ! -f "$bench_jar" ] || [ ! -f "$holdport_jar" ]; then
  if [ "${BENCH_NO_BUILD:-}" = "1" ]; then
    echo "run.sh: $bench_jar or $holdport_jar missing and BENCH_NO_BUILD=1" >&2
    exit 2
  fi
  echo "run.sh: building the jars (./mvnw -q -B package -DskipTests)" >&2
  (cd "$root" && ./mvnw -q -B package -DskipTests)
fi

# Holding many connections needs many open files: take the hard limit.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# Past the client connections its open-file limit allows, holdport stops accepting and further
# clients of the hold step wait in the route's listen backlog, which the kernel caps at
# net.core.somaxconn (read when holdport starts listening). Raise it when we may; the hold step
# reports itself skipped if its clients cannot fit.
somaxconn_file=/proc/sys/net/core/somaxconn
if [ -r "$somaxconn_file" ] && [ -w "$somaxconn_file" ]; then
  somaxconn="$(cat "$somaxconn_file")"
  if [ "$somaxconn" -lt 65535 ] 2>/dev/null && (echo 65535 > "$somaxconn_file") 2>/dev/null; then
    echo "run.sh: raised net.core.somaxconn from $somaxconn to 65535 (listen backlog for the hold step)" >&2
  fi
fi

quick=0
has_out=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    --out|--out=*) has_out=1 ;;
  esac
done
out_args=()
if [ "$has_out" = 0 ]; then
  if [ "$quick" = 1 ]; then
    out_args=(--out "$here/target/quick-results")
  else
    out_args=(--out "$here/results")
  fi
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/holdport-bench.XXXXXX")"
pids="$work/pids"
java_pid=""

stop_pid() { # pid name
  local pid="$1" name="$2" i
  kill -0 "$pid" 2>/dev/null || return 0
  echo "run.sh: stopping $name (pid $pid)" >&2
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$java_pid" ]; then
    stop_pid "$java_pid" "benchmark driver"
  fi
  if [ -s "$pids" ]; then
    while read -r pid name; do
      [ -n "$pid" ] && stop_pid "$pid" "$name"
    done < "$pids"
  fi
  if [ "$status" = 0 ] && [ "${BENCH_KEEP_WORK:-}" != "1" ]; then
    rm -rf "$work"
  else
    echo "run.sh: generated configs and server logs kept in $work" >&2
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cd "$root"
# BENCH_JAVA_OPTS: extra options for the driver JVM (e.g. -Dbench.transport=nio).
# shellcheck disable=SC2086
java -Xms512m -Xmx2g -XX:MaxDirectMemorySize=1g ${BENCH_JAVA_OPTS:-} -jar "$bench_jar" run \
  --holdport-jar "$holdport_jar" --work-dir "$work" --pid-file "$pids" "${out_args[@]}" "$@" &
java_pid=$!
status=0
wait "$java_pid" || status=$?
java_pid=""
exit "$status"
