# SPDX-License-Identifier: LGPL-2.1-or-later
# What every system test starts with (sourced): boot systemd in a
# throwaway namespace, install offlinefiles into it, create the
# unprivileged user the checks call as, and a few bus helpers.  A machine
# that cannot boot systemd skips the test with the reason.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=boot.sh
. "$here/boot.sh"
# shellcheck source=tap.sh
. "$here/tap.sh"

DEST=org.offlinefiles.BackgroundSync
OBJ=/org/offlinefiles/BackgroundSync
IFACE=org.offlinefiles.BackgroundSync
UNIT=offlinefiles-syncd.service
USER_NAME=ofsys

boot_and_install () {
  local reason
  if reason=$(system_unavailable); then tap_skip_all "$reason"; fi
  system_boot || { echo "Bail out! systemd did not boot in its namespace"; exit 1; }
  system_install || { echo "Bail out! offlinefiles did not install"; exit 1; }
  system_add_user "$USER_NAME" || { echo "Bail out! could not create user $USER_NAME inside"; exit 1; }
}

# prop NAME: a property's value as busctl prints it, without the type
# (and a string without its quotes).
prop () {
  in_system busctl --system get-property "$DEST" "$OBJ" "$IFACE" "$1" |
    cut -d' ' -f2- | sed 's/^"\(.*\)"$/\1/'
}
unit_prop () { in_system systemctl show -p "$1" --value "${2:-$UNIT}"; }

# wait_until SECONDS CMD…: polls CMD every 0.2 s until it succeeds.
wait_until () {
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

# The journal of the daemon, for diagnostics.
daemon_journal () { in_system journalctl --no-pager -o short-precise -u "$UNIT" -n "${1:-15}" | diag; }
