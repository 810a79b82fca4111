#!/usr/bin/env bash
# Installs the peers the benchmarks compare holdport with (HAProxy, nginx with its
# stream module) and the external load generators (iperf3, wrk), from Debian's
# packages, when they are missing. Safe to run again: it installs only what is absent.
# A peer that fails to install is reported; run.sh will then skip it and say so.
set -u

if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi

# package -> how to tell it is already there
declare -A CHECK=(
  [haproxy]="command -v haproxy"
  [nginx]="command -v nginx"
  [libnginx-mod-stream]="test -e /usr/lib/nginx/modules/ngx_stream_module.so"
  [iperf3]="command -v iperf3"
  [wrk]="command -v wrk"
)
ORDER=(haproxy nginx libnginx-mod-stream iperf3 wrk)

missing=()
for pkg in "${ORDER[@]}"; do
  if eval "${CHECK[$pkg]}" >/dev/null 2>&1; then
    echo "setup: $pkg already installed"
  else
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: nothing to install"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: apt-get not found; install by hand: ${missing[*]} (run.sh skips what is missing)" >&2
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
echo "setup: apt-get update"
$SUDO apt-get update -qq || echo "setup: apt-get update failed; trying to install anyway" >&2

failed=()
for pkg in "${missing[@]}"; do
  echo "setup: installing $pkg"
  if ! $SUDO apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null; then
    failed+=("$pkg")
  fi
done

# Debian starts the services after installing them; the benchmarks start their own
# instances on free ports, so stop the system-wide ones (ignore errors: no systemd here).
for svc in haproxy nginx; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
    $SUDO systemctl stop "$svc" || true
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "setup: FAILED to install: ${failed[*]} — run.sh will report these peers as skipped" >&2
else
  echo "setup: installed ${missing[*]}"
fi
exit 0
