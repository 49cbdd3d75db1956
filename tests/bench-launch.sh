#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench-launch.sh BENCH — boots systemd in a throwaway namespace
# (system/boot.sh) and runs the launcher benchmark BENCH inside.
set -u
here=$(dirname "$(readlink -f "$0")")
# shellcheck source=system/boot.sh
. "$here/system/boot.sh"

if why=$(system_unavailable); then
  echo "1..0 # SKIP $why"
  exit 0
fi
system_boot || { echo "1..0 # SKIP systemd did not boot"; exit 0; }
OF_SYS_TIMEOUT=1200 in_system "$1"
