#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench-launch.sh BENCH — boots systemd in a throwaway namespace
# (system/boot-systemd.sh) and runs the launcher benchmark BENCH inside.
set -u
here=$(dirname "$(readlink -f "$0")")
pid=$("$here/system/boot-systemd.sh" start 2>/tmp/offlinefiles-boot.$$)
if [ $? -ne 0 ]; then
  echo "1..0 # SKIP $(tail -n1 /tmp/offlinefiles-boot.$$)"
  rm -f /tmp/offlinefiles-boot.$$
  exit 0
fi
rm -f /tmp/offlinefiles-boot.$$
trap '"$here/system/boot-systemd.sh" stop "$pid"' EXIT
"$here/system/boot-systemd.sh" run "$pid" "$1"
