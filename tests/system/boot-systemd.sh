#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# boot-systemd.sh — systemd as PID 1 of a throwaway PID and mount
# namespace, over an overlay of / whose upper layer is a tmpfs: nothing
# it does (tmpfiles emptying /tmp, units written to /etc) reaches this
# machine.  Root only.
#
#   boot-systemd.sh start          boots, waits until it runs, prints its pid
#   boot-systemd.sh run PID CMD…   runs CMD inside (as root, cwd /)
#   boot-systemd.sh stop PID       powers it off and waits until it is gone
#
# start exits 77 with a reason on stderr when it cannot work here.
set -u

skip() { echo "$*" >&2; exit 77; }

inside() {
  local pid=$1; shift
  # -r and -w without a value: the root and working directory of systemd
  # itself ("--wd=/" would name this machine's / , unreachable inside).
  nsenter -t "$pid" -m -p -u -i -r -w "$@"
}

start() {
  [ "$(id -u)" = 0 ] || skip "booting systemd needs root"
  [ -x /lib/systemd/systemd ] || skip "no /lib/systemd/systemd (apt-get install systemd)"
  command -v unshare >/dev/null && command -v nsenter >/dev/null || skip "no unshare/nsenter (util-linux)"
  local d log
  d=$(mktemp -d /var/tmp/sd.XXXXXX) || skip "cannot create a directory in /var/tmp"
  log=$d.log
  # SIGTERM would only make systemd re-execute itself: stop it with
  # SIGRTMIN+4 (see stop).
  setsid unshare --pid --fork --mount --uts --ipc --propagation private bash -c '
    set -e
    D=$1
    mount -t tmpfs -o size=2g tmpfs "$D"
    mkdir "$D/upper" "$D/work" "$D/root"
    mount -t overlay overlay -o "lowerdir=/,upperdir=$D/upper,workdir=$D/work" "$D/root"
    mount --rbind /dev "$D/root/dev"
    mount -t proc proc "$D/root/proc"
    mount --rbind /sys "$D/root/sys"
    mount -t tmpfs tmpfs "$D/root/run"
    mount -t tmpfs tmpfs "$D/root/tmp"
    cd "$D/root"
    exec chroot . /lib/systemd/systemd --system' boot "$d" </dev/null >"$log" 2>&1 &
  local unshare_pid=$! pid="" state=""
  # Up to 90 s: two cores shared with other tests boot slowly.  Usable
  # once the manager and the system bus are up, even while a slow boot
  # job keeps the state at "starting".
  for _ in $(seq 900); do
    pid=$(pgrep -P "$unshare_pid" -x systemd | head -n1)
    if [ -n "$pid" ]; then
      state=$(inside "$pid" systemctl is-system-running 2>/dev/null)
      case $state in running|degraded) break ;; esac
      if [ "$state" = starting ] && inside "$pid" systemctl is-active --quiet dbus.service 2>/dev/null; then
        state=usable; break
      fi
    fi
    kill -0 "$unshare_pid" 2>/dev/null || break
    sleep 0.1
  done
  case $state in
    running|degraded|usable) ;;
    *)
      # SIGKILL to the namespace's PID 1 ends everything in it.
      [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
      kill -9 "$unshare_pid" 2>/dev/null
      sleep 0.5
      tail -n 20 "$log" >&2
      rmdir "$d" 2>/dev/null; rm -f "$log"
      skip "systemd did not reach running here (state: ${state:-none})" ;;
  esac
  rm -f "$log"
  echo "$pid"
}

stop() {
  local pid=$1 d root parent
  # Its root is $d/root: the directory to remove once it is gone.
  root=$(readlink "/proc/$pid/root") && d=${root%/root}
  # unshare, its parent, holds the mount namespace (and with it the
  # mount on $d) until it exits too.
  parent=$(ps -o ppid= -p "$pid" | tr -d ' ')
  kill -s SIGRTMIN+4 "$pid" 2>/dev/null
  for _ in $(seq 200); do
    kill -0 "$pid" 2>/dev/null || kill -0 "${parent:-$pid}" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  for _ in $(seq 50); do
    kill -0 "${parent:-$pid}" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "${d:-}" ] && [ "$d" != "${d#/var/tmp/sd.}" ] && rmdir "$d" 2>/dev/null
  return 0
}

case ${1:-} in
  start) start ;;
  run) shift; pid=$1; shift; inside "$pid" "$@" ;;
  stop) stop "$2" ;;
  *) echo "usage: $0 start | run PID CMD... | stop PID" >&2; exit 2 ;;
esac
