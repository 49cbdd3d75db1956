#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Boots systemd as PID 1 of a throwaway namespace and installs offlinefiles
# into it, so that tests and the demo meet the service as an administrator
# does: started by D-Bus activation, under the shipped unit, on a real
# system bus with polkitd and logind.
#
# The system runs on an overlay of / whose upper layer is a tmpfs, with its
# own tmpfs on /run and /tmp, its own cgroup subtree (a cgroup namespace)
# and its own network namespace, so nothing it does reaches this machine:
# not its /tmp (which systemd-tmpfiles would empty), not its /etc, not the
# cgroups or ports of another booted system next to it.  It is powered off
# (SIGRTMIN+4) and removed when the caller exits, also when a check fails
# or the caller is killed on a time-out.
#
# Sourced by the tests in this directory and by tools/demo.sh:
#   system_unavailable      prints why this machine cannot boot one (→ skip)
#   system_boot             boots, waits for running/degraded; sets OF_SYS_PID
#   system_install          installs OF_SYSTEM_DEB=/path/offlinefiles_*.deb with
#                           dpkg -i, or else the meson build dir OF_BUILD_DIR
#                           (meson install --destdir, copied in, and the
#                           journal catalog rebuilt); then
#                           systemctl daemon-reload and a reload of the bus
#   in_system CMD…          runs CMD inside as root (nsenter), clean environment,
#                           at most OF_SYS_TIMEOUT seconds (default 60)
#   as_user USER CMD…       the same as an unprivileged user
#   system_poweroff         powers off and cleans up (run by the EXIT trap)
# Run directly:
#   boot.sh run CMD…        boot, install, run CMD on this host with OF_SYS_PID
#                           exported (CMD may call "boot.sh exec …"), power off
#   boot.sh exec CMD…       run CMD inside the system OF_SYS_PID
#   boot.sh shell           boot, install, and an interactive shell inside

OF_SYS_PID=${OF_SYS_PID:-}
_of_sys_dir=
_of_sys_upid=
_of_sys_log=
_of_sys_cgroups=()
_of_sys_stage=
_of_sys_fast=
_of_sys_srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

_of_sys_note () { printf '# %s\n' "$*" >&2; }

# Prints a reason and succeeds when systemd cannot be booted here.
system_unavailable () {
  if [ "$(id -u)" -ne 0 ]; then
    echo "needs root (mounts, namespaces, systemd as PID 1)"; return 0
  fi
  if [ ! -x /lib/systemd/systemd ]; then
    echo "systemd is not installed (/lib/systemd/systemd)"; return 0
  fi
  local tool
  for tool in unshare nsenter chroot mount setpriv timeout tar; do
    command -v "$tool" >/dev/null 2>&1 || { echo "$tool is missing"; return 0; }
  done
  if ! grep -qw overlay /proc/filesystems && ! modprobe overlay 2>/dev/null; then
    echo "the kernel has no overlayfs"; return 0
  fi
  if ! unshare --mount --pid --fork --cgroup --propagation private true 2>/dev/null; then
    echo "cannot create mount, PID and cgroup namespaces here"; return 0
  fi
  return 1
}

# The cgroup hierarchies mounted under /sys/fs/cgroup, one line each:
# "MOUNTPOINT TYPE OPTIONS OUR-CGROUP-DIR" (OPTIONS: the controllers or
# name= of a v1 hierarchy, "-" for cgroup2).
_of_sys_cgroup_hierarchies () {
  local line left right mnt_root mountpoint fstype superopts opts ours
  while IFS= read -r line; do
    left=${line%% - *}; right=${line#* - }
    read -r _ _ _ mnt_root mountpoint _ <<<"$left"
    read -r fstype _ superopts <<<"$right"
    case $fstype in cgroup|cgroup2) ;; *) continue ;; esac
    case $mountpoint in /sys/fs/cgroup|/sys/fs/cgroup/*) ;; *) continue ;; esac
    if [ "$fstype" = cgroup2 ]; then
      opts=-
      ours=$(sed -n 's/^0:://p' /proc/self/cgroup)
    else
      # The controllers of this hierarchy, as /proc/self/cgroup names them.
      opts=$(tr ',' '\n' <<<"$superopts" | grep -Ev '^(rw|ro|relatime|noatime|nosuid|nodev|noexec|clone_children|xattr|nsdelegate|release_agent=.*)$' | paste -sd, -)
      ours=$(awk -F: -v want="$opts" '$1 != 0 {
          n = split($2, have, ","); split(want, w, ","); ok = n > 0
          for (i in have) { found = 0; for (j in w) if (w[j] == have[i]) found = 1; if (!found) ok = 0 }
          if (ok && length($2) == length(want)) print $3 }' /proc/self/cgroup)
    fi
    [ -n "$ours" ] || continue
    [ "$mnt_root" = / ] || ours=${ours#"$mnt_root"}
    echo "$mountpoint $fstype $opts $mountpoint${ours%/}"
  done </proc/self/mountinfo
}

# Moves the calling (sub)shell into a new cgroup $1 of its own in every
# hierarchy of the list $2; the namespace's cgroup root is then that
# subtree.  (No process substitution: its child would outlive the exec.)
_of_sys_cgroup_enter () {
  local name=$1 mountpoint fstype opts dir
  while read -r mountpoint fstype opts dir; do
    [ -n "$dir" ] || continue
    mkdir -p "$dir/$name" || return 1
    if [ -f "$dir/$name/cpuset.cpus" ]; then
      cat "$dir/cpuset.cpus" >"$dir/$name/cpuset.cpus"
      cat "$dir/cpuset.mems" >"$dir/$name/cpuset.mems"
    fi
    echo "$BASHPID" >"$dir/$name/cgroup.procs" || return 1
  done <<<"$2"
}

# Runs as PID 1 of the new namespaces until it execs systemd.  $1: the
# directory to mount the tmpfs on; $2: the cgroup hierarchies as above.
# shellcheck disable=SC2016
_of_sys_inner='
set -eu
d=$1; r=$d/root
mount -t tmpfs -o size=2g,mode=755 tmpfs "$d"
mkdir "$d/upper" "$d/work" "$r"
mount -t overlay overlay -o "lowerdir=/,upperdir=$d/upper,workdir=$d/work" "$r"
mount --rbind /dev "$r/dev"
mount -t proc proc "$r/proc"
mount --rbind /sys "$r/sys"
# The cgroup file systems again, rooted at this namespace'"'"'s own subtree.
if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
  mount -t cgroup2 cgroup2 "$r/sys/fs/cgroup"
else
  mount -t tmpfs -o mode=755,nosuid,nodev,noexec tmpfs "$r/sys/fs/cgroup"
  while read -r mountpoint fstype opts dir; do
    sub=$r$mountpoint; mkdir -p "$sub"
    if [ "$fstype" = cgroup2 ]; then mount -t cgroup2 cgroup2 "$sub"
    else mount -t cgroup -o "$opts" cgroup "$sub"; fi
  done <<<"$2"
fi
mount -t tmpfs -o mode=755 tmpfs "$r/run"
mount -t tmpfs -o mode=1777 tmpfs "$r/tmp"
echo offlinefiles-system >"$r/etc/hostname"
# The consoles are this machine'"'"'s: no getty on them.
ln -sf /dev/null "$r/etc/systemd/system/getty@.service"
# A machine, not a container image being built: maintainer scripts may
# start and restart services (Docker images forbid it with policy-rc.d).
rm -f "$r/usr/sbin/policy-rc.d"
rm -f "$r/etc/machine-id"; systemd-machine-id-setup --root="$r" >/dev/null 2>&1 || true
cd "$r"
exec chroot . /lib/systemd/systemd --system --log-target=journal-or-kmsg --show-status=0
'

# Boots the system; sets OF_SYS_PID and an EXIT trap that powers it off.
system_boot () {
  local reason
  if reason=$(system_unavailable); then
    echo "cannot boot systemd here: $reason" >&2; return 77
  fi
  trap system_poweroff EXIT
  trap '_of_sys_fast=1; exit 143' TERM
  trap '_of_sys_fast=1; exit 130' INT
  trap '_of_sys_fast=1; exit 129' HUP
  trap '_of_sys_fast=1; exit 141' PIPE
  _of_sys_dir=$(mktemp -d /var/tmp/offlinefiles-system.XXXXXX) || return 1
  _of_sys_log=$_of_sys_dir.log
  local name hierarchies started
  name=offlinefiles-system-${_of_sys_dir##*.}
  hierarchies=$(_of_sys_cgroup_hierarchies)
  while read -r _ _ _ dir; do
    [ -n "$dir" ] && _of_sys_cgroups+=("$dir/$name")
  done <<<"$hierarchies"
  (
    _of_sys_cgroup_enter "$name" "$hierarchies" || exit 1
    # --kill-child: should this shell be killed outright, the namespace
    # goes with it instead of running on unseen.
    exec unshare --pid --fork --kill-child=SIGKILL --mount --uts --ipc --net --cgroup \
      --propagation private /bin/bash -c "$_of_sys_inner" of-system "$_of_sys_dir" "$hierarchies"
  ) </dev/null >"$_of_sys_log" 2>&1 &
  _of_sys_upid=$!
  started=$EPOCHREALTIME

  # systemd is the child of unshare that runs /lib/systemd/systemd.
  local child= children c i
  for i in $(seq 200); do
    children=$(cat "/proc/$_of_sys_upid/task/$_of_sys_upid/children" 2>/dev/null) || true
    for c in $children; do
      [ "$(cat "/proc/$c/comm" 2>/dev/null)" = systemd ] && child=$c
    done
    [ -n "$child" ] && break
    kill -0 "$_of_sys_upid" 2>/dev/null || break
    sleep 0.05
  done
  if [ -z "$child" ]; then
    echo "systemd did not start; its log:" >&2; sed 's/^/#   /' "$_of_sys_log" >&2
    child=$(cat "/proc/$_of_sys_upid/task/$_of_sys_upid/children" 2>/dev/null) || true
    for child in $child; do
      echo "#   stuck: PID $child $(tr '\0' ' ' <"/proc/$child/cmdline" 2>/dev/null)" \
        "in $(cat "/proc/$child/wchan" 2>/dev/null)" >&2
      cat "/proc/$child/stack" 2>/dev/null | sed 's/^/#     /' >&2
    done
    _of_sys_fast=1
    return 1
  fi
  OF_SYS_PID=$child
  export OF_SYS_PID

  local state=
  for i in $(seq 240); do
    state=$(OF_SYS_TIMEOUT=10 in_system systemctl is-system-running 2>/dev/null) || true
    case $state in running|degraded) break ;; esac
    sleep 0.25
  done
  case $state in
    running|degraded) ;;
    *) echo "systemd did not finish booting (state: ${state:-none})" >&2
       in_system systemctl list-jobs --no-pager >&2 || true
       return 1 ;;
  esac
  _of_sys_note "systemd booted in $(awk -v a="$started" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s (PID $OF_SYS_PID on this host, state $state)"
  if [ "$state" = degraded ]; then
    _of_sys_note "failed units: $(in_system systemctl --failed --no-legend --plain | awk '{print $1}' | paste -sd' ' -)"
  fi
}

# Runs a command inside the booted system as root.
in_system () {
  [ -n "$OF_SYS_PID" ] || { echo "in_system: no system booted" >&2; return 1; }
  timeout -k 5 "${OF_SYS_TIMEOUT:-60}" \
    nsenter -t "$OF_SYS_PID" -m -p -u -i -n --root="/proc/$OF_SYS_PID/root" \
    env -i -C / PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" SYSTEMD_PAGER= SYSTEMD_COLORS=0 \
      DEBIAN_FRONTEND=noninteractive "$@"
}

# Runs a command inside as USER (no session: polkit sees an inactive one).
as_user () {
  local user=$1; shift
  in_system setpriv --reuid="$user" --regid="$user" --init-groups \
    env HOME=/ USER="$user" LOGNAME="$user" "$@"
}

# Creates an unprivileged user inside the system (not on this machine).
system_add_user () {
  in_system useradd --system --no-create-home --shell /usr/sbin/nologin "$1"
}

# Stages the meson build dir $1 as installed (meson install --destdir);
# prints the staging dir.  A build dir configured for another prefix is
# rebuilt once with --prefix=/usr in a build dir of its own beside it.
_of_sys_stage_build () {
  local build=$1 layout stage
  layout=$(meson introspect --buildoptions "$build" | /usr/bin/python3 -c '
import json, sys
o = {x["name"]: x["value"] for x in json.load(sys.stdin)}
print(o["prefix"], o["sysconfdir"], o["localstatedir"])') || return 1
  case $layout in
    "/usr /etc /var"|"/usr etc var"|"/usr /etc var"|"/usr etc /var") ;;
    *)
      _of_sys_note "$build is configured as '$layout', not /usr /etc /var: building a copy in $build/system-usr"
      if [ ! -f "$build/system-usr/build.ninja" ]; then
        meson setup "$build/system-usr" "$_of_sys_srcdir" --prefix=/usr -Dtests=false >/dev/null || return 1
      fi
      meson compile -C "$build/system-usr" >/dev/null || return 1
      build=$build/system-usr ;;
  esac
  stage=$(mktemp -d /var/tmp/offlinefiles-stage.XXXXXX) || return 1
  if ! meson install -C "$build" --destdir "$stage" --no-rebuild --quiet >"$stage.log" 2>&1; then
    cat "$stage.log" >&2; rm -rf "$stage" "$stage.log"; return 1
  fi
  rm -f "$stage.log"
  chmod 755 "$stage"
  echo "$stage"
}

# Installs offlinefiles into the booted system the way its package does.
system_install () {
  if [ -n "${OF_SYSTEM_DEB:-}" ]; then
    system_install_deb "$OF_SYSTEM_DEB" || return 1
  else
    [ -n "${OF_BUILD_DIR:-}" ] || { echo "set OF_BUILD_DIR (a meson build dir) or OF_SYSTEM_DEB" >&2; return 1; }
    _of_sys_stage=$(_of_sys_stage_build "$OF_BUILD_DIR") || return 1
    _of_sys_note "installing the meson install tree of $OF_BUILD_DIR"
    tar -C "$_of_sys_stage" -cf - . |
      in_system tar -C / -xf - --keep-directory-symlink --no-overwrite-dir || return 1
    rm -rf "$_of_sys_stage"; _of_sys_stage=
    # What Debian's systemd does through its dpkg trigger for a package.
    in_system journalctl --update-catalog || return 1
  fi
  in_system systemctl daemon-reload || return 1
  # The bus policy and the activation file take effect with a reload.
  in_system systemctl reload dbus || return 1
}

# Installs (or upgrades to) the package $1 with dpkg -i inside.
system_install_deb () {
  local deb=$1 out
  [ -f "$deb" ] || { echo "no such package: $deb" >&2; return 1; }
  _of_sys_note "installing $(basename "$deb") with dpkg -i"
  in_system sh -c 'cat >/tmp/offlinefiles.deb' <"$deb" || return 1
  if ! out=$(OF_SYS_TIMEOUT=120 in_system dpkg -i /tmp/offlinefiles.deb 2>&1); then
    echo "$out" | sed 's/^/#   /' >&2; return 1
  fi
  in_system rm -f /tmp/offlinefiles.deb
}

# Powers the system off and removes everything it left on this machine.
system_poweroff () {
  local status=$? i
  # Every step below runs whatever the one before did (a caller's set -e
  # must not cut the cleanup short).
  set +e
  trap - EXIT TERM INT HUP PIPE
  if [ -n "$_of_sys_upid" ] && kill -0 "$_of_sys_upid" 2>/dev/null; then
    if [ -n "$_of_sys_fast" ] || [ -z "$OF_SYS_PID" ]; then
      # unshare --kill-child takes the namespace with it.
      [ -n "$OF_SYS_PID" ] && kill -s KILL "$OF_SYS_PID" 2>/dev/null
      kill -s KILL "$_of_sys_upid" 2>/dev/null
    else
      [ -n "$OF_SYS_PID" ] && kill -s SIGRTMIN+4 "$OF_SYS_PID" 2>/dev/null
      for i in $(seq 300); do kill -0 "$_of_sys_upid" 2>/dev/null || break; sleep 0.1; done
      if kill -0 "$_of_sys_upid" 2>/dev/null; then
        _of_sys_note "systemd did not power off within 30 s: killing it"
        kill -s KILL "$OF_SYS_PID" 2>/dev/null
      fi
    fi
    for i in $(seq 50); do kill -0 "$_of_sys_upid" 2>/dev/null || break; sleep 0.1; done
    kill -s KILL "$_of_sys_upid" 2>/dev/null
    wait "$_of_sys_upid" 2>/dev/null
  fi
  # systemd itself may outlive unshare (killed on a time-out): wait until
  # it is gone or a zombie, whose cgroups are empty.
  for i in $(seq 50); do
    [ -n "$OF_SYS_PID" ] && [ -e "/proc/$OF_SYS_PID" ] &&
      [ "$(awk '{print $3}' "/proc/$OF_SYS_PID/stat" 2>/dev/null)" != Z ] || break
    sleep 0.1
  done
  # Cgroups systemd left behind, deepest first.
  local cg
  for i in 1 2 3 4 5; do
    local left=0
    for cg in "${_of_sys_cgroups[@]}"; do
      [ -d "$cg" ] || continue
      find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null
      [ -d "$cg" ] && left=1
    done
    [ "$left" = 0 ] && break
    sleep 0.2
  done
  [ -n "$_of_sys_stage" ] && rm -rf "$_of_sys_stage"
  if [ -n "$_of_sys_dir" ]; then
    # The namespace's mounts go a moment after its last process.
    for i in $(seq 50); do rmdir "$_of_sys_dir" 2>/dev/null && break; sleep 0.1; done
    [ -d "$_of_sys_dir" ] && _of_sys_note "could not remove $_of_sys_dir"
    rm -f "$_of_sys_log"
  fi
  OF_SYS_PID=
  exit "$status"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  case ${1:-} in
    run|shell)
      what=$1; shift
      system_boot || exit
      system_install || exit 1
      if [ "$what" = shell ]; then
        OF_SYS_TIMEOUT=${OF_SYS_TIMEOUT:-86400} in_system bash -l
      else
        "$@"
      fi ;;
    exec)
      shift
      OF_SYS_PID=${OF_SYS_PID:?boot.sh exec needs OF_SYS_PID}
      in_system "$@" ;;
    *)
      sed -n '4,/^$/s/^# \{0,1\}//p' "$0" >&2
      exit 2 ;;
  esac
fi
