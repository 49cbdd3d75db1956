#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The Debian package under a booted systemd: an upgrade to a higher
# version keeps the settings, the state, the sync ids and the work-offline
# flags, and "dpkg --purge" removes /var/lib/offlinefiles.  Needs
# OF_SYSTEM_DEB=/path/offlinefiles_*.deb (tools/build-deb.sh); the package
# it upgrades to is OF_SYSTEM_DEB_UPGRADE, or else the same package
# rebuilt with a higher version.  Without a package every check skips.  TAP.
set -u
. "$(dirname "$0")/common.sh"

checks=("an upgrade keeps the settings" "an upgrade keeps the state"
        "sync ids keep increasing across an upgrade" "an upgrade keeps the work-offline flags"
        "an upgrade restarts the daemon" "dpkg --purge removes /var/lib/offlinefiles")
if [ -z "${OF_SYSTEM_DEB:-}" ]; then
  for name in "${checks[@]}"; do
    skip "$name: no package given (OF_SYSTEM_DEB=/path/offlinefiles_*.deb)"
  done
  tap_done; exit
fi
[ -f "$OF_SYSTEM_DEB" ] || { echo "Bail out! OF_SYSTEM_DEB=$OF_SYSTEM_DEB does not exist"; exit 1; }
boot_and_install

local_dir=/srv/offline/u
remote_dir=/srv/server/u
share_obj=$OBJ/share/u
in_system install -d -m 755 /srv/offline /srv/server
in_system install -d -o "$USER_NAME" -g "$USER_NAME" -m 700 "$local_dir" "$remote_dir"
printf '[Share]\nLocalPath=%s\nRemotePath=%s\nUser=%s\n' "$local_dir" "$remote_dir" "$USER_NAME" |
  in_system sh -c 'cat >/etc/offlinefiles/shares.d/u.conf'
in_system systemctl try-reload-or-restart "$UNIT"

# The package to upgrade to.
if [ -n "${OF_SYSTEM_DEB_UPGRADE:-}" ]; then
  in_system sh -c 'cat >/tmp/upgrade.deb' <"$OF_SYSTEM_DEB_UPGRADE"
else
  in_system sh -c 'cat >/tmp/first.deb' <"$OF_SYSTEM_DEB"
  in_system sh -ec '
    d=$(mktemp -d)
    dpkg-deb -R /tmp/first.deb "$d"
    v=$(dpkg-deb -f /tmp/first.deb Version)
    sed -i "s/^Version: .*/Version: $v+systemtest1/" "$d/DEBIAN/control"
    dpkg-deb -Zgzip -b "$d" /tmp/upgrade.deb >/dev/null
    rm -rf "$d" /tmp/first.deb' || { echo "Bail out! could not rebuild the package with a higher version"; exit 1; }
fi
old_version=$(in_system dpkg-query -W -f '${Version}' offlinefiles)
new_version=$(in_system dpkg-deb -f /tmp/upgrade.deb Version)
in_system dpkg --compare-versions "$new_version" gt "$old_version" ||
  { echo "Bail out! the upgrade's version $new_version is not higher than $old_version"; exit 1; }

# Before: a setting, a finished sync, a share in work-offline mode.
in_system busctl --system set-property "$DEST" "$OBJ" "$IFACE" SyncInterval q 234
OF_SYS_TIMEOUT=180 in_system offlinefilesctl sync-now --wait >/dev/null 2>&1
id_before=$(in_system busctl --system call "$DEST" "$OBJ" "$IFACE" SyncNow | cut -d' ' -f2)
idle () { [ "$(prop CurrentSyncId)" = 0 ]; }
wait_until 120 idle
state_before="$(prop LastSyncStartTime) $(prop LastSyncFinishTime) $(prop LastSyncResult)"
in_system offlinefilesctl work-offline u on >/dev/null
share_prop () { in_system busctl --system get-property "$DEST" "$share_obj" org.offlinefiles.Share "$1" | cut -d' ' -f2-; }
offline_before=$(share_prop WorkOffline)
pid_before=$(unit_prop MainPID)

upgrade_out=$(OF_SYS_TIMEOUT=120 in_system dpkg -i /tmp/upgrade.deb 2>&1) ||
  { echo "Bail out! dpkg -i of version $new_version failed"; diag <<<"$upgrade_out"; exit 1; }
diag "upgraded $old_version -> $(in_system dpkg-query -W -f '${Version}' offlinefiles)"
# A restart queued without waiting (--no-block) gets a few seconds.
pid_after=; new_pid () { pid_after=$(unit_prop MainPID); [ "$pid_after" != 0 ] && [ "$pid_after" != "$pid_before" ]; }
wait_until 10 new_pid

value=$(prop SyncInterval)
if [ "$value" = 234 ] && in_system grep -qx 'SyncInterval=234' /etc/offlinefiles/background-sync.conf; then
  ok "${checks[0]} (SyncInterval 234)"
else
  not_ok "${checks[0]}"; diag "SyncInterval after the upgrade: $value"
  in_system cat /etc/offlinefiles/background-sync.conf | diag
fi

state_after="$(prop LastSyncStartTime) $(prop LastSyncFinishTime) $(prop LastSyncResult)"
if [ "$state_after" = "$state_before" ] && [ "${state_before%% *}" != 0 ]; then
  ok "${checks[1]} (last sync start, finish, result: $state_after)"
else
  not_ok "${checks[1]}"; diag "before: $state_before; after: $state_after"
fi

id_after=$(in_system busctl --system call "$DEST" "$OBJ" "$IFACE" SyncNow | cut -d' ' -f2)
wait_until 120 idle
if [ -n "$id_before" ] && [ -n "$id_after" ] && [ "$id_after" -gt "$id_before" ]; then
  ok "${checks[2]} ($id_before, then $id_after)"
else
  not_ok "${checks[2]}"; diag "last id before: ${id_before:-none}; first after: ${id_after:-none}"
fi

offline_after=$(share_prop WorkOffline)
if [ "$offline_before" = true ] && [ "$offline_after" = true ]; then
  ok "${checks[3]}"
else
  not_ok "${checks[3]}"; diag "WorkOffline of share u before: $offline_before; after: $offline_after"
fi

if [ "$pid_before" != 0 ] && [ "$pid_after" != 0 ] && [ "$pid_after" != "$pid_before" ]; then
  ok "${checks[4]} (MainPID $pid_before -> $pid_after)"
else
  not_ok "${checks[4]}"; diag "MainPID before: $pid_before; 10 s after dpkg -i: $pid_after"
fi

purge_out=$(OF_SYS_TIMEOUT=120 in_system dpkg --purge offlinefiles 2>&1); purge_status=$?
if [ "$purge_status" -eq 0 ] && ! in_system test -e /var/lib/offlinefiles; then
  ok "${checks[5]}"
else
  not_ok "${checks[5]}"; diag "dpkg --purge: exit $purge_status"; diag <<<"$purge_out"
  in_system ls -la /var/lib/offlinefiles 2>&1 | diag
fi

tap_done
