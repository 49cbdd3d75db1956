#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs the dependencies, builds offlinefiles and runs it for real, the
# way an administrator meets it:
#  - on this machine's own system bus when systemd runs it;
#  - else under a systemd booted for the demo in a throwaway namespace
#    (tests/system/boot.sh: an overlay of / on a tmpfs, powered off and
#    gone at the end), installed the way the package installs it
#    (OF_SYSTEM_DEB=/path/offlinefiles_*.deb, or the meson install tree);
#  - else (or with OF_DEMO_NO_BOOT=1), as a fallback, on a private system
#    bus with the real polkitd.
# Then it shows "systemctl status", a read as an unprivileged user, a
# refused write, an accepted write that survives a restart, offlinefilesctl
# status/plan/shares, a real two-way sync of a share with unison run as an
# unprivileged user, and a conflict listed and then resolved.
# Run as root from the source tree:  sudo tools/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "run as root: sudo $0" >&2; exit 2; }

tools/install-deps.sh >/dev/null
meson setup build-demo --prefix=/usr --sysconfdir=/etc --localstatedir=/var >/dev/null 2>&1 ||
  meson setup --reconfigure build-demo >/dev/null
meson compile -C build-demo >/dev/null

DEST=org.offlinefiles.BackgroundSync
OBJ=/org/offlinefiles/BackgroundSync
say () { printf '\n\033[1m%s %s\033[0m\n' "$PROMPT" "$*"; }
banner () { printf '\n\033[1;34m== %s\033[0m\n' "$*"; }
# run CMD…: shows and runs a command where the service runs; run_user: the
# same as the unprivileged user $DEMO_USER.  A failing command is shown,
# not fatal.
run () { say "$*"; on_host "$@" || true; }
run_user () { say "(as $DEMO_USER) $*"; on_host_user "$@" || true; }

# shellcheck source=../tests/system/boot.sh
. tests/system/boot.sh

why_not=
if [ -n "${OF_DEMO_NO_BOOT:-}" ]; then
  why_not="OF_DEMO_NO_BOOT is set"
elif reason=$(system_unavailable); then
  why_not=$reason
fi
SHARE_LOCAL=/srv/offline/demo
SHARE_REMOTE=/srv/server/demo
if [ -S /run/dbus/system_bus_socket ] && [ -d /run/systemd/system ]; then
  MODE=host
  echo "A system bus and systemd are running: installing for real."
  meson install -C build-demo >/dev/null
  systemctl daemon-reload
  systemctl reload dbus
  systemctl restart offlinefiles-syncd
  PROMPT='#'
  DEMO_USER=oftest-ask
  on_host () { "$@"; }
  on_host_user () { setpriv --reuid="$DEMO_USER" --regid="$DEMO_USER" --clear-groups "$@"; }
  CONFIG=/etc/offlinefiles/background-sync.conf
  CTL=offlinefilesctl
  restart_daemon () { systemctl restart offlinefiles-syncd; }
  SHARE_LOCAL=; SHARE_REMOTE=
elif [ -z "$why_not" ]; then
  MODE=booted
  echo "systemd is not running here: booting it in a throwaway namespace"
  echo "(an overlay of / on a tmpfs; powered off and gone when the demo ends)."
  export OF_BUILD_DIR=$PWD/build-demo
  system_boot
  system_install
  PROMPT='offlinefiles-system #'
  DEMO_USER=alice
  system_add_user "$DEMO_USER"
  on_host () { in_system "$@"; }
  on_host_user () { as_user "$DEMO_USER" "$@"; }
  share_write () { as_user "$DEMO_USER" sh -c "echo '$2' >'$1'"; }
  CONFIG=/etc/offlinefiles/background-sync.conf
  CTL=offlinefilesctl
  restart_daemon () { in_system systemctl restart offlinefiles-syncd; }
  # A share of alice's kept offline: a local folder and its "server" copy.
  in_system install -d -m 755 /srv/offline /srv/server
  in_system install -d -o "$DEMO_USER" -g "$DEMO_USER" "$SHARE_LOCAL" "$SHARE_REMOTE"
  as_user "$DEMO_USER" sh -c "echo written on the laptop >$SHARE_LOCAL/notes.txt; echo written on the server >$SHARE_REMOTE/report.txt"
  printf '[Share]\nLocalPath=%s\nRemotePath=%s\nUser=%s\n' "$SHARE_LOCAL" "$SHARE_REMOTE" "$DEMO_USER" |
    in_system sh -c 'cat >/etc/offlinefiles/shares.d/demo.conf'

  if in_system systemctl --quiet is-active offlinefiles-syncd; then
    STARTED_BY=package
    banner "Installed; the package enabled and started the unit:"
  else
    STARTED_BY=activation
    banner "Installed, not started: the first D-Bus call will start it."
  fi
  run systemctl status --no-pager offlinefiles-syncd
else
  MODE=private
  echo "Cannot boot systemd here ($why_not)."
  echo "Falling back to a private system bus with the real polkitd: no systemd, no unit."
  DIR=$(mktemp -d /tmp/offlinefiles-demo-XXXXXX)
  chmod 755 "$DIR"
  mkdir -p "$DIR/system.d" "$DIR/config" "$DIR/state"
  cp data/org.offlinefiles.BackgroundSync.conf "$DIR/system.d/"
  sed -e "s|@DIR@|$DIR|g" tools/private-system-bus.conf.in > "$DIR/bus.conf"
  cp build-demo/polkit/org.offlinefiles.backgroundsync.policy /usr/share/polkit-1/actions/
  cp data/background-sync.conf "$DIR/config/"
  # A share kept offline: a local folder and its "server" copy, synced as
  # the unprivileged user oftest-allow.
  SHARE_LOCAL=$DIR/share/local
  SHARE_REMOTE=$DIR/share/server
  mkdir -p "$DIR/config/shares.d" "$SHARE_LOCAL" "$SHARE_REMOTE"
  echo "written on the laptop" > "$SHARE_LOCAL/notes.txt"
  echo "written on the server" > "$SHARE_REMOTE/report.txt"
  chown -R oftest-allow: "$DIR/share"
  share_write () { echo "$2" >"$1"; chown oftest-allow: "$1"; }
  printf '[Share]\nLocalPath=%s\nRemotePath=%s\nUser=oftest-allow\n' \
    "$SHARE_LOCAL" "$SHARE_REMOTE" > "$DIR/config/shares.d/demo.conf"
  pids=()
  cleanup () {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    echo; echo "Logs and files of this run are in $DIR"
  }
  trap cleanup EXIT
  dbus-daemon --config-file="$DIR/bus.conf" --nofork --nopidfile 2>/dev/null &
  pids+=($!)
  export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$DIR/socket"
  for _ in $(seq 100); do [ -S "$DIR/socket" ] && break; sleep 0.05; done
  /usr/lib/polkit-1/polkitd --no-debug >"$DIR/polkitd.log" 2>&1 &
  pids+=($!)
  start_daemon () {
    # G_SLICE as the systemd unit sets it.
    G_SLICE=always-malloc build-demo/src/offlinefiles-syncd --config-dir="$DIR/config" --state-dir="$DIR/state" \
      >>"$DIR/daemon.log" 2>&1 &
    daemon_pid=$!
    pids+=($daemon_pid)
    for _ in $(seq 100); do
      busctl --system status "$DEST" >/dev/null 2>&1 && return
      sleep 0.05
    done
    echo "the daemon did not start, see $DIR/daemon.log" >&2; exit 1
  }
  restart_daemon () { kill "$daemon_pid"; wait "$daemon_pid" || true; start_daemon; }
  start_daemon
  PROMPT='$'
  DEMO_USER=oftest-ask
  on_host () { "$@"; }
  on_host_user () { setpriv --reuid="$DEMO_USER" --regid="$DEMO_USER" --clear-groups "$@"; }
  CONFIG=$DIR/config/background-sync.conf
  CTL=build-demo/client/offlinefilesctl
fi

banner "Anyone may read the settings (here the unprivileged user $DEMO_USER):"
run_user busctl --system get-property $DEST $OBJ $DEST SyncInterval SyncVariance BlockOutDurationMin
run_user gdbus call --system -d $DEST -o $OBJ -m org.freedesktop.DBus.Properties.GetAll $DEST
if [ "$MODE" = booted ] && [ "$STARTED_BY" = activation ]; then
  banner "That read started the daemon through D-Bus activation:"
  run systemctl status --no-pager --lines=3 offlinefiles-syncd
fi

banner "A write by that user is refused by polkit:"
run_user busctl --system set-property $DEST $OBJ $DEST SyncInterval q 120

banner "An out-of-range value is refused with a clear message:"
run busctl --system set-property $DEST $OBJ $DEST SyncInterval q 1441

banner "root may write; several values at once go through Configure:"
run busctl --system set-property $DEST $OBJ $DEST SyncInterval q 120
run busctl --system call $DEST $OBJ $DEST Configure 'a{sv}' 2 BlockOutStartTimeHoursMinutes q 2230 BlockOutDurationMin q 480
run cat "$CONFIG"

banner "After a restart of the daemon, the values are still there:"
[ "$MODE" = private ] || say "systemctl restart offlinefiles-syncd"
restart_daemon
run busctl --system get-property $DEST $OBJ $DEST SyncInterval BlockOutStartTimeHoursMinutes BlockOutDurationMin

banner "The client shows the same, like timedatectl:"
run "$CTL" status
run "$CTL" plan 3

if [ -n "$SHARE_LOCAL" ]; then
  banner "A share on the bus, and a real sync (unison, as the share's user):"
  run "$CTL" shares
  say "$CTL sync-now --wait"
  if sync_out=$(on_host "$CTL" sync-now --wait 2>&1); then
    printf '%s\n' "$sync_out"
    run ls -ln "$SHARE_LOCAL" "$SHARE_REMOTE"
    printf '\nThe sync worked: each side now has both files, owned by the share'"'"'s user.\n'
  else
    printf '%s\n' "$sync_out"
    run ls -ln "$SHARE_LOCAL" "$SHARE_REMOTE"
    printf '\n\033[1;31mThe sync did not work here (the reason is above).\033[0m\n'
    if [ "$MODE" = booted ] && grep -qE 'Operation not permitted|Read-only file system' <<<"$sync_out"; then
      printf 'The engine ran inside the daemon'"'"'s own sandbox (ProtectSystem=strict, no\n'
      printf 'chown), which keeps it from the share: under systemd it needs a transient\n'
      printf 'unit of its own per run (SPEC section 9).\n'
    fi
    [ "$MODE" = private ] || run journalctl --no-pager -u offlinefiles-syncd -n 6
  fi
  run "$CTL" shares

  banner "A conflict: report.txt changed on the laptop and on the server; it is kept, listed, and settled later:"
  sleep 1.1  # other modification times than the synced copies
  share_write "$SHARE_LOCAL/report.txt" "edited on the laptop"
  share_write "$SHARE_REMOTE/report.txt" "edited on the server"
  run "$CTL" sync-now --wait
  run "$CTL" conflicts demo
  run "$CTL" resolve demo keep-remote report.txt
  run cat "$SHARE_LOCAL/report.txt" "$SHARE_REMOTE/report.txt"
  run "$CTL" conflicts demo
fi
if [ "$MODE" = booted ]; then
  banner "Powering the throwaway system off."
fi
