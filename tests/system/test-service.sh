#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The service as installed, under a booted systemd: its files in place,
# D-Bus activation by an unprivileged read, a root write that persists, an unprivileged write
# refused by polkit, "systemctl reload" in place, the journal's event for
# it explained by the catalog, and the unit's
# hardening as systemd-analyze security rates it there.  TAP.
set -u
. "$(dirname "$0")/common.sh"
boot_and_install

conf=/etc/offlinefiles/background-sync.conf

# --- 1. What the package installs is in place, and nothing is running yet.
load=$(unit_prop LoadState)
activatable=$(in_system busctl --system list --activatable --no-legend | awk -v n="$DEST" '$1 == n')
actions=$(in_system pkaction | grep -c '^org\.offlinefiles\.backgroundsync\.')
policy=$(in_system ls /usr/share/dbus-1/system.d/$DEST.conf /etc/dbus-1/system.d/$DEST.conf 2>/dev/null)
if [ "$load" = loaded ] && [ -n "$activatable" ] && [ "$actions" -ge 3 ] && [ -n "$policy" ]; then
  ok "the unit, the activation file, the bus policy and $actions polkit actions are installed"
else
  not_ok "the unit, the activation file, the bus policy and the polkit actions are installed"
  diag "unit: $load; activatable on the bus: ${activatable:-no}; polkit actions: $actions; bus policy: ${policy:-none}"
fi

# --- 2. The first unprivileged read activates the daemon.
before=$(unit_prop ActiveState)
if [ "$before" != inactive ]; then
  # A package may start the unit it enables; activation is what is checked.
  diag "the daemon was $before after installing; stopping it to check activation"
  in_system systemctl stop "$UNIT"
  before=$(unit_prop ActiveState)
fi
read_out=$(as_user "$USER_NAME" busctl --system get-property "$DEST" "$OBJ" "$IFACE" SyncInterval 2>&1)
after=$(unit_prop ActiveState)
if [ "$before" = inactive ] && [[ $read_out =~ ^q\ [0-9]+$ ]] && [ "$after" = active ]; then
  ok "an unprivileged read activates the daemon (SyncInterval: ${read_out#q })"
else
  not_ok "an unprivileged read activates the daemon"
  diag "before: $before; read as $USER_NAME: $read_out; after: $after"
  daemon_journal
fi

# --- 3. root writes; the value is in the settings file and survives a restart.
write_out=$(in_system busctl --system set-property "$DEST" "$OBJ" "$IFACE" SyncInterval q 123 2>&1)
in_file=$(in_system grep -x 'SyncInterval=123' "$conf")
in_system systemctl restart "$UNIT"
after_restart=$(prop SyncInterval)
if [ -z "$write_out" ] && [ -n "$in_file" ] && [ "$after_restart" = 123 ]; then
  ok "a root write persists in $conf and across a restart"
else
  not_ok "a root write persists in $conf and across a restart"
  diag "set-property: ${write_out:-ok}; line in the file: ${in_file:-none}; after restart: $after_restart"
  in_system cat "$conf" | diag
fi

# --- 4. An unprivileged write is refused (no active session: no allow_active).
refused=$(as_user "$USER_NAME" gdbus call --system -d "$DEST" -o "$OBJ" \
  -m org.freedesktop.DBus.Properties.Set "$IFACE" SyncInterval '<uint16 45>' 2>&1)
status=$?
value=$(prop SyncInterval)
if [ "$status" -ne 0 ] &&
   [[ $refused =~ org\.freedesktop\.DBus\.Error\.(AccessDenied|InteractiveAuthorizationRequired) ]] &&
   [ "$value" = 123 ] && in_system grep -qx 'SyncInterval=123' "$conf"; then
  ok "an unprivileged write is refused (${BASH_REMATCH[1]}), nothing changes"
else
  not_ok "an unprivileged write is refused"
  diag "exit $status: $refused; SyncInterval now $value"
fi

# --- 5. systemctl reload: same process, the edited file's value on the bus.
# The daemon also notices file changes by itself, but only after a second
# of quiet: a value seen sooner than that came from the reload.
pid_before=$(unit_prop MainPID)
in_system sed -i 's/^SyncInterval=.*/SyncInterval=77/' "$conf"
t0=$EPOCHREALTIME
reload_out=$(in_system systemctl reload "$UNIT" 2>&1); reload_status=$?
wait_until 5 test "$(prop SyncInterval)" = 77; seen=$?
ms=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%d", (b - a) * 1000 }')
pid_after=$(unit_prop MainPID)
if [ "$reload_status" -eq 0 ] && [ "$seen" -eq 0 ] && [ "$pid_before" = "$pid_after" ] && [ "$ms" -lt 900 ]; then
  ok "systemctl reload reloads in place (MainPID $pid_after kept, new value after ${ms} ms)"
else
  not_ok "systemctl reload reloads in place"
  diag "reload: exit $reload_status ${reload_out}; MainPID $pid_before -> $pid_after;" \
       "SyncInterval=77 $([ "$seen" -eq 0 ] && echo "seen after ${ms} ms (a second or more: the file watcher, not the reload)" || echo "never seen")"
  daemon_journal
fi

# --- 6. The journal: that change logged once, with its fixed MESSAGE_ID and
# fields, and explained by the installed catalog (journalctl -x).
settings_id=f92b2fc122954ab1a74f9582d1add6f8
wait_until 5 test "$(in_system journalctl --no-pager -q -o cat MESSAGE_ID=$settings_id \
  OFFLINEFILES_SETTING=SyncInterval OFFLINEFILES_VALUE=77 | wc -l)" -ge 1
sleep 1.5   # the file watcher's own reload, a second later, must not log it again
entries=$(in_system journalctl --no-pager -q -o cat MESSAGE_ID=$settings_id \
  OFFLINEFILES_SETTING=SyncInterval OFFLINEFILES_VALUE=77 | wc -l)
explained=$(in_system journalctl --no-pager -q -x MESSAGE_ID=$settings_id OFFLINEFILES_VALUE=77 2>&1)
if [ "$entries" -eq 1 ] &&
   grep -q 'Subject: Offline files: SyncInterval is now 77' <<<"$explained" &&
   grep -q 'The effective value of the setting SyncInterval changed' <<<"$explained"; then
  ok "the journal has the change once (MESSAGE_ID $settings_id) and journalctl -x explains it"
  head -n 6 <<<"$explained" | diag
else
  not_ok "the journal has the change once and journalctl -x explains it"
  diag "entries: $entries"
  diag "$explained"
  in_system journalctl --no-pager --list-catalog 2>&1 | grep -i offline | diag
fi

# --- 7. Hardening of the installed unit, as systemd rates it on a running system.
security=$(in_system systemd-analyze security --no-pager "$UNIT" 2>&1)
exposure=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' <<<"$security")
diag "systemd-analyze security $UNIT: exposure ${exposure:-unknown}"
if [ -n "$exposure" ] && awk -v e="$exposure" 'BEGIN { exit !(e <= 1.5) }'; then
  ok "unit exposure $exposure is at most 1.5"
else
  not_ok "unit exposure ${exposure:-unknown} is at most 1.5"
  grep -E '^✗' <<<"$security" | head -n 40 | diag
fi

tap_done
