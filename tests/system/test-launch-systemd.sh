#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-launch-systemd.sh PROBE — boots systemd in a throwaway namespace
# (boot.sh) and runs the launcher probe PROBE (the gtest program built
# from test-launch-systemd.c) inside it; TAP on stdout.  Skips, saying
# why, where systemd cannot be booted.
set -u
here=$(dirname "$(readlink -f "$0")")
probe=$1
# shellcheck source=boot.sh
. "$here/boot.sh"

if why=$(system_unavailable); then
  echo "1..0 # SKIP $why"
  exit 0
fi
if ! id oftest-allow >/dev/null 2>&1; then
  echo "1..0 # SKIP user oftest-allow is missing (tools/install-deps.sh creates it)"
  exit 0
fi
system_boot || { echo "1..0 # SKIP systemd did not boot"; exit 0; }
OF_SYS_TIMEOUT=240 in_system env G_DEBUG=fatal-criticals "$probe" --tap
