#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The shipped systemd unit: hardening (systemd-analyze security, exposure
# at most 1.5) and syntax (systemd-analyze verify, on a copy whose
# ExecStart points at the built daemon).  TAP output for meson.
set -u
unit=$1
daemon=$2

if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "1..0 # SKIP systemd-analyze is not installed"
  exit 0
fi

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
sed "s|^ExecStart=.*|ExecStart=$daemon|" "$unit" > "$dir/offlinefiles-syncd.service"

echo "1..3"
if out=$(systemd-analyze security --offline=true --no-pager --threshold=15 "$dir/offlinefiles-syncd.service" 2>&1); then
  echo "ok 1 - security: $(echo "$out" | tail -n 1)"
else
  echo "$out" | sed 's/^/# /'
  echo "not ok 1 - security exposure above 1.5"
fi
if out=$(systemd-analyze verify "$dir/offlinefiles-syncd.service" 2>&1); then
  echo "ok 2 - systemd-analyze verify"
else
  echo "$out" | sed 's/^/# /'
  echo "not ok 2 - systemd-analyze verify"
fi
# The daemon's memory comes back after bursts only without GSlice caches
# (GLib < 2.76); the harness runs it the same way.
if grep -qx 'Environment=G_SLICE=always-malloc' "$unit"; then
  echo "ok 3 - the unit runs the daemon with G_SLICE=always-malloc"
else
  echo "not ok 3 - the unit lost Environment=G_SLICE=always-malloc"
fi
