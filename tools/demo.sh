#!/bin/bash
# Installs the dependencies, builds offlinefiles and runs it for real:
# on the machine's system bus under systemd when there is one, otherwise
# on a private system bus with the real polkitd.  Then it shows a read,
# a refused write, an accepted write that survives a restart, and a real
# two-way sync of a share with unison, run as an unprivileged user.
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
say () { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run () { say "$*"; "$@" || true; }
as_user () { setpriv --reuid=oftest-ask --regid=oftest-ask --clear-groups "$@"; }

if [ -S /run/dbus/system_bus_socket ] && [ -d /run/systemd/system ]; then
  echo "A system bus and systemd are running: installing for real."
  meson install -C build-demo >/dev/null
  systemctl daemon-reload
  systemctl reload dbus
  systemctl restart offlinefiles-syncd
  CONFIG=/etc/offlinefiles/background-sync.conf
  restart_daemon () { systemctl restart offlinefiles-syncd; }
else
  echo "No system bus here: starting a private one with the real polkitd."
  DIR=$(mktemp -d /tmp/offlinefiles-demo-XXXXXX)
  chmod 755 "$DIR"
  mkdir -p "$DIR/system.d" "$DIR/config" "$DIR/state"
  cp data/org.offlinefiles.BackgroundSync.conf "$DIR/system.d/"
  sed -e "s|@DIR@|$DIR|g" tools/private-system-bus.conf.in > "$DIR/bus.conf"
  cp build-demo/polkit/org.offlinefiles.backgroundsync.policy /usr/share/polkit-1/actions/
  cp data/background-sync.conf "$DIR/config/"
  # A share kept offline: a local folder and its "server" copy, synced as
  # the unprivileged user oftest-allow.
  mkdir -p "$DIR/config/shares.d" "$DIR/share/local" "$DIR/share/server"
  echo "written on the laptop" > "$DIR/share/local/notes.txt"
  echo "written on the server" > "$DIR/share/server/report.txt"
  chown -R oftest-allow: "$DIR/share"
  printf '[Share]\nLocalPath=%s\nRemotePath=%s\nUser=oftest-allow\n' \
    "$DIR/share/local" "$DIR/share/server" > "$DIR/config/shares.d/demo.conf"
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
  CONFIG=$DIR/config/background-sync.conf
  SHARE_DIR=$DIR/share
fi
CTL=build-demo/client/offlinefilesctl

echo; echo "== Anyone may read the settings (here as the unprivileged user oftest-ask):"
run as_user busctl --system get-property $DEST $OBJ $DEST SyncInterval SyncVariance BlockOutDurationMin
run as_user gdbus call --system -d $DEST -o $OBJ -m org.freedesktop.DBus.Properties.GetAll $DEST

echo; echo "== A write by that user is refused by polkit:"
run as_user busctl --system set-property $DEST $OBJ $DEST SyncInterval q 120

echo; echo "== An out-of-range value is refused with a clear message:"
run busctl --system set-property $DEST $OBJ $DEST SyncInterval q 1441

echo; echo "== root may write; several values at once go through Configure:"
run busctl --system set-property $DEST $OBJ $DEST SyncInterval q 120
run busctl --system call $DEST $OBJ $DEST Configure 'a{sv}' 2 BlockOutStartTimeHoursMinutes q 2230 BlockOutDurationMin q 480
run cat "$CONFIG"

echo; echo "== After a restart of the daemon, the values are still there:"
restart_daemon
run busctl --system get-property $DEST $OBJ $DEST SyncInterval BlockOutStartTimeHoursMinutes BlockOutDurationMin

echo; echo "== The client shows the same, like timedatectl:"
run "$CTL" status
run "$CTL" plan 3

if [ -n "${SHARE_DIR:-}" ]; then
  echo; echo "== A share on the bus, and a real sync (unison, as oftest-allow):"
  run busctl --system call $DEST $OBJ org.freedesktop.DBus.ObjectManager GetManagedObjects
  run "$CTL" sync-now --wait
  run ls -ln "$SHARE_DIR/local" "$SHARE_DIR/server"
  run "$CTL" shares
fi
