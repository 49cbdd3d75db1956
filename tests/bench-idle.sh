#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Idle cost of the daemon: syscalls and wake-ups over a quiet period, seen
# by strace -f -c on all its threads, on a private bus, from 20 s after
# start, with python-dbusmock's NetworkManager (metered) and UPower on the
# bus and one share configured: both are followed by their signals, never
# polled (docs/behaviour.md §14).  Target: 0.
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
mkdir -p "$dir/system.d" "$dir/config/shares.d" "$dir/state" "$dir/local" "$dir/remote"
cp "$OF_BUS_POLICY" "$dir/system.d/"
# The mocks run as root here, like the real services.
printf '%s\n' '<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"' \
  ' "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">' \
  '<busconfig><policy user="root">' \
  '<allow own="org.freedesktop.NetworkManager"/><allow own="org.freedesktop.UPower"/>' \
  '<allow send_destination="org.freedesktop.NetworkManager"/><allow send_destination="org.freedesktop.UPower"/>' \
  '</policy></busconfig>' > "$dir/system.d/mocks.conf"
printf '[Share]\nLocalPath=%s/local\nRemotePath=%s/remote\nUser=root\n' "$dir" "$dir" \
  > "$dir/config/shares.d/home.conf"
sed -e "s|@DIR@|$dir|g" "$OF_BUS_CONFIG_TEMPLATE" > "$dir/bus.conf"
dbus-daemon --config-file="$dir/bus.conf" --nofork --nopidfile 2>/dev/null &
pids="$pids $!"
export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$dir/socket"
for _ in $(seq 100); do [ -S "$dir/socket" ] && break; sleep 0.05; done
sleep 0.2
mocks=0
if /usr/bin/python3 -c 'import dbusmock' 2>/dev/null; then
  /usr/bin/python3 -m dbusmock --system --template networkmanager >"$dir/nm.log" 2>&1 &
  pids="$pids $!"
  /usr/bin/python3 -m dbusmock --system --template upower >"$dir/upower.log" 2>&1 &
  pids="$pids $!"
  for _ in $(seq 100); do
    busctl --system status org.freedesktop.UPower >/dev/null 2>&1 &&
      busctl --system status org.freedesktop.NetworkManager >/dev/null 2>&1 && break
    sleep 0.1
  done
  # The template has no Metered: add it (yes, metered).
  gdbus call --system --dest org.freedesktop.NetworkManager --object-path /org/freedesktop/NetworkManager \
    --method org.freedesktop.DBus.Mock.AddProperty org.freedesktop.NetworkManager Metered '<uint32 1>' >/dev/null
  mocks=1
fi

# No variance: the first sync is due at start, the next is SyncInterval (6 h)
# away, so the window below is the quiet time between two syncs.  (With
# the default variance the first sync lands anywhere in the first hour.)
# With the NetworkManager mock (metered) that first sync is held back
# instead: the window is then the quiet time of a deferred sync.
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

echo "# NetworkManager and UPower mocks on the bus: $mocks; one share configured"
echo "# $seconds s idle, offlinefiles-syncd (strace -f -c):"
sed 's/^/#   /' "$dir/daemon.strace"
# strace prints nothing at all when nothing was called.
calls=$(awk '/ total$/ {print $4}' "$dir/daemon.strace")
echo "# syscalls while idle: ${calls:-0}"
echo "1..1"
echo "ok 1 /bench/idle (${calls:-0} syscalls in $seconds s)"
