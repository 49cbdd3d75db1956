#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Real syncs under a booted systemd with the unit as shipped (no drop-in):
# a share of an unprivileged user in /srv synced both ways by unison as
# that user; a big sync's engine in a transient unit of its own with the
# share's user and background priorities, stopped whole by Cancel; and a
# daemon killed during a sync: restarted, the interrupted sync finished
# as "failed"/"interrupted", its engine gone, the next sync working; a
# user adding, syncing and removing a share of their own folders.  TAP.
set -u
. "$(dirname "$0")/common.sh"
boot_and_install

local_dir=/srv/offline/u
remote_dir=/srv/server/u
files=${OF_SYSTEM_SYNC_FILES:-3000}

in_system install -d -m 755 /srv/offline /srv/server
in_system install -d -o "$USER_NAME" -g "$USER_NAME" -m 700 "$local_dir" "$remote_dir"
as_user "$USER_NAME" sh -c "echo written locally >$local_dir/from-local.txt; echo written on the server >$remote_dir/from-server.txt"
printf '[Share]\nLocalPath=%s\nRemotePath=%s\nUser=%s\n' "$local_dir" "$remote_dir" "$USER_NAME" |
  in_system sh -c 'cat >/etc/offlinefiles/shares.d/u.conf'
# A daemon already running (the package starts it) picks the new share
# up on its own a second later, or at once on a reload, as an
# administrator would do; an activated one reads it at start.
if in_system systemctl is-active --quiet "$UNIT"; then
  in_system systemctl reload "$UNIT"
fi
share_listed () { in_system offlinefilesctl shares --names 2>/dev/null | grep -qx u; }
wait_until 10 share_listed || diag "the share u is not on the bus 10 s after its file was written"

# Signals of the daemon, whichever process sends them, for the whole run.
OF_SYS_TIMEOUT=600 in_system sh -c \
  "exec dbus-monitor --system \"type='signal',interface='$IFACE'\" >/tmp/signals.log 2>&1" &

# make_batch NAME: a folder of $files small files on the user's local side.
make_batch () {
  as_user "$USER_NAME" /usr/bin/python3 -c '
import os, sys
d = sys.argv[1]; os.mkdir(d)
for i in range(int(sys.argv[2])):
    with open(f"{d}/f{i}", "w") as f:
        f.write(str(i) * 300)' "$local_dir/$1" "$files"
}
sync_now () { in_system busctl --system call "$DEST" "$OBJ" "$IFACE" SyncNow | cut -d' ' -f2; }
syncing () { [ "$(prop CurrentSyncId)" = "$1" ]; }
idle_again () { [ "$(prop CurrentSyncId)" = 0 ]; }
engine_units () { in_system systemctl list-units --all --plain --no-legend 'offlinefiles-engine*' | awk '{print $1}'; }
active_engine_units () { in_system systemctl list-units --state=active,activating,deactivating --plain --no-legend 'offlinefiles-engine*' | awk '{print $1}'; }
# The engine, under the name it was started by (unison, or unison-2.52).
unison_pattern='unison(-[0-9.]+)?'
unison_running () { in_system pgrep -x "$unison_pattern" >/dev/null; }
no_unison () { ! unison_running; }
# finished ID: the "SyncFinished" of sync ID as "result|message", if one came.
finished () {
  in_system cat /tmp/signals.log | awk -v id="$1" '
    /member=SyncFinished/ { getline a; getline r; getline m
      sub(/^ *uint64 /, "", a); sub(/^ *string "/, "", r); sub(/"$/, "", r)
      sub(/^ *string "/, "", m); sub(/"$/, "", m)
      if (a == id) print r "|" m }'
}
owned_by_user () { [ -z "$(in_system find "$@" ! -user "$USER_NAME" -print -quit)" ]; }

# --- 1. Both ways, as the user, with the unit as shipped.
dropins=$(unit_prop DropInPaths)
sync_out=$(OF_SYS_TIMEOUT=180 in_system offlinefilesctl sync-now --wait 2>&1); sync_status=$?
there=$(in_system cat "$remote_dir/from-local.txt" 2>&1)
here_=$(in_system cat "$local_dir/from-server.txt" 2>&1)
if [ -z "$dropins" ] && [ "$sync_status" -eq 0 ] &&
   [ "$there" = "written locally" ] && [ "$here_" = "written on the server" ] &&
   owned_by_user "$local_dir" "$remote_dir"; then
  ok "a share in /srv syncs both ways as $USER_NAME with the shipped unit, no drop-in"
else
  not_ok "a share in /srv syncs both ways as $USER_NAME with the shipped unit, no drop-in"
  diag "drop-ins: ${dropins:-none}; offlinefilesctl sync-now --wait: exit $sync_status: $sync_out"
  diag "server side got: $there"
  diag "local side got: $here_"
  in_system ls -lnR "$local_dir" "$remote_dir" | head -n 20 | diag
  in_system offlinefilesctl shares | diag
  daemon_journal
fi

# --- 2. A big sync: its engine is a transient unit of its own.
make_batch batch1
id=$(sync_now)
unit=
found_engine () { unit=$(engine_units | head -n 1); [ -n "$unit" ] || idle_again; }
wait_until 60 found_engine
if [ -n "$unit" ]; then
  show=$(in_system systemctl show -p User -p Nice -p CPUSchedulingPolicy -p IOSchedulingClass -p ActiveState "$unit")
  user=$(sed -n 's/^User=//p' <<<"$show"); nice=$(sed -n 's/^Nice=//p' <<<"$show")
  cpu=$(sed -n 's/^CPUSchedulingPolicy=//p' <<<"$show"); io=$(sed -n 's/^IOSchedulingClass=//p' <<<"$show")
  # systemctl show prints the policy (SCHED_IDLE 5) and class (idle 3) as numbers.
  if [ "$user" = "$USER_NAME" ] && [ "$nice" = 19 ] &&
     [[ $cpu =~ ^(idle|5)$ ]] && [[ $io =~ ^(idle|3)$ ]]; then
    ok "sync $id runs its engine in $unit as $USER_NAME, Nice=19, idle CPU and I/O"
  else
    not_ok "sync $id runs its engine in a transient unit as $USER_NAME, Nice=19, idle CPU and I/O"
    diag <<<"$show"
  fi
else
  not_ok "sync $id runs its engine in a transient unit as $USER_NAME, Nice=19, idle CPU and I/O"
  diag "no offlinefiles-engine* unit while sync $id of $files files ran (result: $(prop LastSyncResult))"
  in_system systemd-cgls --no-pager -u "$UNIT" | diag
fi

# --- 3. Cancel stops the engine's whole unit.
if [ -n "$unit" ] && syncing "$id"; then
  cancel_out=$(in_system busctl --system call "$DEST" "$OBJ" "$IFACE" Cancel 2>&1)
  unit_gone () { [ -z "$(active_engine_units)" ] && no_unison && idle_again; }
  if wait_until 25 unit_gone && [ "$(prop LastSyncResult)" = cancelled ]; then
    ok "Cancel stops $unit and every process in it"
  else
    not_ok "Cancel stops $unit and every process in it"
    diag "Cancel: ${cancel_out:-ok}; engine units still up: $(active_engine_units | paste -sd' ' -)"
    diag "unison still running: $(in_system pgrep -a -x "$unison_pattern" | paste -sd' ' -)"
    diag "CurrentSyncId $(prop CurrentSyncId), LastSyncResult $(prop LastSyncResult)"
  fi
elif [ -n "$unit" ]; then
  not_ok "Cancel stops the engine's unit"
  diag "sync $id of $files files ended before it could be cancelled: raise OF_SYSTEM_SYNC_FILES"
else
  not_ok "Cancel stops the engine's unit"
  diag "no engine unit to stop (see the previous check)"
fi
wait_until 60 idle_again

# --- 4. The daemon killed during a sync.
make_batch batch2
pid_before=$(unit_prop MainPID)
restarts_before=$(unit_prop NRestarts)
id=$(sync_now)
# Kill it once the engine runs (unless the sync ends before that).
sync_ended () { [ -n "$(finished "$1")" ]; }
started_or_ended () { syncing "$id" || sync_ended "$id"; }
engine_or_ended () { unison_running || sync_ended "$id"; }
wait_until 30 started_or_ended
wait_until 30 engine_or_ended
unison_running; engine_seen=$?
was_syncing=$(syncing "$id" && echo yes || echo no)
in_system systemctl kill -s KILL "$UNIT"
# One systemctl call for both: the state changes between two.
restarted () {
  local now
  now=$(in_system systemctl show -p ActiveState -p MainPID "$UNIT" | sort | paste -sd' ' -)
  [[ $now =~ ^ActiveState=active\ MainPID=([0-9]+)$ ]] &&
    [ "${BASH_REMATCH[1]}" != 0 ] && [ "${BASH_REMATCH[1]}" != "$pid_before" ]
}
if wait_until 20 restarted; then
  how="restarted by systemd (NRestarts $restarts_before -> $(unit_prop NRestarts))"
else
  prop State >/dev/null 2>&1
  how="re-activated by the next call"
fi
if restarted; then
  ok "killed with SIGKILL (during sync $id: $was_syncing), the daemon is back: $how"
else
  not_ok "killed with SIGKILL (during sync $id: $was_syncing), the daemon is back"
  diag "ActiveState $(unit_prop ActiveState), MainPID $pid_before -> $(unit_prop MainPID)"
  daemon_journal
fi

got=; got_finished () { got=$(finished "$id"); [ -n "$got" ]; }
wait_until 15 got_finished
if [ "$got" = "failed|interrupted" ] && [ "$(prop LastSyncResult)" = failed ]; then
  ok "the interrupted sync $id gets SyncFinished($id, \"failed\", \"interrupted\")"
else
  not_ok "the interrupted sync $id gets SyncFinished($id, \"failed\", \"interrupted\")"
  [ "$was_syncing" = yes ] || diag "sync $id had ended before the kill: nothing was interrupted"
  diag "SyncFinished for $id: ${got:-none}; LastSyncResult $(prop LastSyncResult); CurrentSyncId $(prop CurrentSyncId)"
  in_system grep -A3 -E 'member=Sync(Started|Finished)' /tmp/signals.log | tail -n 16 | diag
fi

if [ "$engine_seen" -eq 0 ] && wait_until 25 no_unison && [ -z "$(active_engine_units)" ]; then
  ok "the engine of sync $id does not run on unsupervised"
else
  not_ok "the engine of sync $id does not run on unsupervised"
  [ "$engine_seen" -eq 0 ] || diag "no unison process was seen during sync $id before the kill"
  in_system pgrep -a -x "$unison_pattern" | diag
  diag "engine units: $(active_engine_units | paste -sd' ' -)"
fi

wait_until 30 idle_again
next_out=$(OF_SYS_TIMEOUT=180 in_system offlinefilesctl sync-now --wait 2>&1); next_status=$?
copied=$(in_system sh -c "ls $remote_dir/batch2 2>/dev/null | wc -l")
if [ "$next_status" -eq 0 ] && [ "$copied" = "$files" ] && owned_by_user "$remote_dir"; then
  ok "the next sync works ($files files copied as $USER_NAME)"
else
  not_ok "the next sync works"
  diag "offlinefilesctl sync-now --wait: exit $next_status: $next_out"
  diag "$copied of $files files of batch2 on the server side"
  daemon_journal
fi

# --- 8. A share whose server copy is missing: found out as the user, in
# a unit of its own (the probe before the engine, docs/behaviour.md §14);
# nothing is created, and what everyone reads says the connection state,
# not why.
gone=/srv/server/gone
printf '[Share]\nLocalPath=%s\nRemotePath=%s\nUser=%s\n' "$local_dir" "$gone" "$USER_NAME" |
  in_system sh -c 'cat >/etc/offlinefiles/shares.d/v.conf'
in_system systemctl reload "$UNIT"
share_v_listed () { in_system offlinefilesctl shares --names 2>/dev/null | grep -qx v; }
wait_until 10 share_v_listed || diag "the share v is not on the bus 10 s after its file was written"
gone_out=$(OF_SYS_TIMEOUT=180 in_system offlinefilesctl sync-now --wait 2>&1)
v_message=$(in_system busctl --system get-property "$DEST" "$OBJ/share/v" org.offlinefiles.Share LastMessage |
            cut -d' ' -f2- | sed 's/^"\(.*\)"$/\1/')
v_reason=$(in_system busctl --system get-property "$DEST" "$OBJ/share/v" org.offlinefiles.Share OfflineReason |
           cut -d' ' -f2)
if [ "$v_message" = "offline: disconnected" ] && [ "$v_reason" = 4 ] && ! in_system test -e "$gone"; then
  ok "a missing server copy fails that share as its user ($v_message), and is not created"
else
  not_ok "a missing server copy fails that share as its user, and is not created"
  diag "LastMessage of v: $v_message; OfflineReason: $v_reason; sync-now: $gone_out"
  in_system ls -la /srv/server | diag
  daemon_journal
fi

# --- 9. A conflict under systemd: its sizes found by a helper unit as the
# user, and resolved by an engine unit as the user, on that path only
# (docs/behaviour.md §13).
in_system rm -f /etc/offlinefiles/shares.d/v.conf
in_system systemctl reload "$UNIT"
as_user "$USER_NAME" sh -c "echo base >$local_dir/c.txt"
OF_SYS_TIMEOUT=180 in_system offlinefilesctl sync-now --wait >/dev/null 2>&1
sleep 1.1
as_user "$USER_NAME" sh -c "echo mine >$local_dir/c.txt; echo 'theirs!' >$remote_dir/c.txt"
OF_SYS_TIMEOUT=180 in_system offlinefilesctl sync-now --wait >/dev/null 2>&1
listed=$(in_system offlinefilesctl conflicts u --json 2>&1)
if [[ $listed == *'"path":"c.txt","reason":"both-changed","local_size":5,"remote_size":8'* ]]; then
  ok "a conflict under systemd is listed with both sizes, found as $USER_NAME"
else
  not_ok "a conflict under systemd is listed with both sizes, found as $USER_NAME"
  diag "offlinefilesctl conflicts u --json: $listed"
  daemon_journal
fi
as_user "$USER_NAME" sh -c "echo later >$local_dir/later.txt"
resolved=$(OF_SYS_TIMEOUT=180 in_system offlinefilesctl resolve u keep-remote c.txt 2>&1); resolve_status=$?
here_c=$(in_system cat "$local_dir/c.txt" 2>&1)
later_there=$(in_system test -e "$remote_dir/later.txt" && echo yes || echo no)
if [ "$resolve_status" -eq 0 ] && [ "$resolved" = "c.txt: resolved: keep-remote" ] &&
   [ "$here_c" = "theirs!" ] && [ "$later_there" = no ] && owned_by_user "$local_dir" &&
   [ "$(in_system busctl --system get-property "$DEST" "$OBJ/share/u" org.offlinefiles.Share ConflictCount)" = "u 0" ]; then
  ok "resolve keep-remote under systemd: the server's version on both sides, nothing else moved"
else
  not_ok "resolve keep-remote under systemd: the server's version on both sides, nothing else moved"
  diag "offlinefilesctl resolve: exit $resolve_status: $resolved; local c.txt: $here_c; later.txt synced: $later_there"
  daemon_journal
fi

# --- 10. A user keeps their own folders offline with offlinefilesctl:
# checked as the user in a unit of their own, written by the shipped
# unit as root, synced, then removed with its archives, never a file of
# its folders.  polkit: a rule grants the user manage-own-shares (there is
# no active session here for the .policy's allow_active).
in_system sh -c 'cat >/etc/polkit-1/rules.d/50-offlinefiles-test-own.rules' <<RULES
polkit.addRule(function(action, subject) {
  if (subject.user == "$USER_NAME" && action.id == "org.offlinefiles.backgroundsync.manage-own-shares")
    return polkit.Result.YES;
  return polkit.Result.NOT_HANDLED;
});
RULES
own_local=/srv/offline/w
own_remote=/srv/server/w
in_system install -d -o "$USER_NAME" -g "$USER_NAME" -m 700 "$own_local" "$own_remote"
as_user "$USER_NAME" sh -c "echo mine >$own_local/mine.txt"
uid=$(in_system id -u "$USER_NAME")
add_out=$(as_user "$USER_NAME" offlinefilesctl --no-ask-password add-share w "$own_local" "$own_remote" 2>&1); add_status=$?
file_stat=$(in_system stat -c '%U %a' /etc/offlinefiles/shares.d/w.conf 2>&1)
mark=$(in_system head -n 1 /etc/offlinefiles/shares.d/w.conf 2>&1)
if [ "$add_status" -eq 0 ] && [ "$file_stat" = "root 644" ] &&
   [[ $mark == "# Added by $USER_NAME (uid $uid) through AddShare at "* ]] &&
   in_system offlinefilesctl shares --names | grep -qx w; then
  ok "$USER_NAME adds a share of their own folders: w.conf written by the shipped unit ($file_stat), on the bus at once"
else
  not_ok "$USER_NAME adds a share of their own folders with offlinefilesctl add-share"
  diag "add-share: exit $add_status: $add_out"
  diag "w.conf: $file_stat; first line: $mark"
  daemon_journal
fi

OF_SYS_TIMEOUT=180 in_system offlinefilesctl sync-now --wait >/dev/null 2>&1
w_result=$(in_system busctl --system get-property "$DEST" "$OBJ/share/w" org.offlinefiles.Share LastResult |
           cut -d' ' -f2- | sed 's/^"\(.*\)"$/\1/')
w_arrived=$(in_system cat "$own_remote/mine.txt" 2>&1)
w_archives () { in_system sh -c "grep -l 'synchronizing roots .*//offlinefiles/$own_local' /var/lib/offlinefiles/unison/$uid/ar* 2>/dev/null | wc -l"; }
archives_before=$(w_archives)
if [ "$w_result" = success ] && [ "$w_arrived" = mine ] && owned_by_user "$own_remote" && [ "$archives_before" = 2 ]; then
  ok "the share w syncs as $USER_NAME (its 2 archives in /var/lib/offlinefiles/unison/$uid)"
else
  not_ok "the share w syncs as $USER_NAME"
  diag "LastResult of w: $w_result; server copy: $w_arrived; archives of w: $archives_before"
  daemon_journal
fi

rm_out=$(as_user "$USER_NAME" offlinefilesctl --no-ask-password remove-share w 2>&1); rm_status=$?
if [ "$rm_status" -eq 0 ] && ! in_system test -e /etc/offlinefiles/shares.d/w.conf &&
   ! in_system offlinefilesctl shares --names | grep -qx w && [ "$(w_archives)" = 0 ] &&
   [ "$(in_system cat "$own_local/mine.txt")" = mine ] && [ "$(in_system cat "$own_remote/mine.txt")" = mine ]; then
  ok "$USER_NAME removes the share w: file, object and archives gone (as the user), its folders untouched"
else
  not_ok "$USER_NAME removes the share w with offlinefilesctl remove-share"
  diag "remove-share: exit $rm_status: $rm_out; archives of w left: $(w_archives)"
  in_system ls -la /etc/offlinefiles/shares.d "$own_local" "$own_remote" | diag
  daemon_journal
fi

tap_done
