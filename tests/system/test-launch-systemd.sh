#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-launch-systemd.sh PROBE — boots systemd in a throwaway namespace
# (boot-systemd.sh) and runs the launcher probe PROBE (the gtest program
# built from test-launch-systemd.c) inside it; TAP on stdout.  Skips,
# saying why, where systemd cannot be booted.
set -u
here=$(dirname "$(readlink -f "$0")")
probe=$1

if ! id oftest-allow >/dev/null 2>&1; then
  echo "1..0 # SKIP user oftest-allow is missing (tools/install-deps.sh creates it)"
  exit 0
fi
pid=$("$here/boot-systemd.sh" start 2>/tmp/offlinefiles-boot.$$)
rc=$?
if [ $rc -ne 0 ]; then
  echo "1..0 # SKIP $(tail -n1 /tmp/offlinefiles-boot.$$)"
  rm -f /tmp/offlinefiles-boot.$$
  exit 0
fi
rm -f /tmp/offlinefiles-boot.$$
trap '"$here/boot-systemd.sh" stop "$pid"' EXIT

"$here/boot-systemd.sh" run "$pid" env G_DEBUG=fatal-criticals "$probe" --tap
