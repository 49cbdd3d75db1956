#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Idle cost of the daemon: syscalls and wake-ups over a quiet period, seen
# by strace -f -c on all its threads, on a private bus, from 20 s after
# start.  Target: 0.
# OF_IDLE_SECONDS (default 60) sets the period.
set -eu
syncd=$1
seconds=${OF_IDLE_SECONDS:-60}

if ! command -v strace >/dev/null 2>&1; then
  echo "1..0 # SKIP strace is not installed"; exit 0
fi
dir=$(mktemp -d)
chmod 755 "$dir"
pids=""
trap 'kill $pids 2>/dev/null || true; rm -rf "$dir"' EXIT
mkdir -p "$dir/system.d" "$dir/config" "$dir/state"
cp "$OF_BUS_POLICY" "$dir/system.d/"
sed -e "s|@DIR@|$dir|g" "$OF_BUS_CONFIG_TEMPLATE" > "$dir/bus.conf"
dbus-daemon --config-file="$dir/bus.conf" --nofork --nopidfile 2>/dev/null &
pids="$pids $!"
export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$dir/socket"
for _ in $(seq 100); do [ -S "$dir/socket" ] && break; sleep 0.05; done
sleep 0.2

# No variance: the first sync runs at start, the next is SyncInterval (6 h)
# away, so the window below is the quiet time between two syncs.  (With
# the default variance the first sync lands anywhere in the first hour.)
printf '[BackgroundSync]\nSyncVariance=0\n' > "$dir/config/background-sync.conf"
# As the systemd unit runs it.
G_SLICE=always-malloc "$syncd" --config-dir="$dir/config" --state-dir="$dir/state" >"$dir/daemon.log" 2>&1 &
daemon=$!
pids="$pids $daemon"
# Past start-up and what follows it once: the heap trim 5 s later
# (OF_MEMORY_TRIM_DELAY_S) and GLib retiring the worker thread that wrote
# the state file after the first sync, 15 s after its last task.  From then on nothing
# should run.
sleep 20
timeout -s INT "$seconds" strace -f -c -p "$daemon" -o "$dir/daemon.strace" 2>/dev/null || true

echo "# $seconds s idle, offlinefiles-syncd (strace -f -c):"
sed 's/^/#   /' "$dir/daemon.strace"
# strace prints nothing at all when nothing was called.
calls=$(awk '/ total$/ {print $4}' "$dir/daemon.strace")
echo "# syscalls while idle: ${calls:-0}"
echo "1..1"
echo "ok 1 /bench/idle (${calls:-0} syscalls in $seconds s)"
