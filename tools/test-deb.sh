#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Installs the offlinefiles package on a throwaway Debian 12 booted with
# systemd, upgrades it and purges it, and checks what SPEC section 9 asks
# of the package.  Run as root:
#
#   tools/test-deb.sh [DEB UPGRADE_DEB]
#
# Without arguments it builds both with tools/build-deb.sh (the second as
# VERSION+upgradetest1).  The machine itself is not touched: systemd runs as
# PID 1 of new PID and mount namespaces on an overlay of / whose upper layer
# is a tmpfs, with its own /run and /tmp, so the package, the units it
# enables and every file it writes vanish when that systemd powers off.
# Prints "N passed, N failed" last; exits 1 when a check failed, 77 when
# this machine cannot boot such a namespace.
set -euo pipefail

src="$(cd "$(dirname "$0")/.." && pwd)"

if [ "$(id -u)" != 0 ]; then
	echo "test-deb.sh: needs root (namespaces, overlay mounts)" >&2
	exit 77
fi
if dpkg-query -W -f='${Status}' offlinefiles 2>/dev/null | grep -q 'ok installed'; then
	echo "test-deb.sh: offlinefiles is installed on this machine itself; the test needs a machine without it" >&2
	exit 77
fi

scratch="$(mktemp -d /var/tmp/offlinefiles-test-deb.XXXXXX)"
root_dir=""
ns_pid=""
unshare_pid=""

cleanup() {
	if [ -n "$ns_pid" ] && kill -0 "$ns_pid" 2>/dev/null; then
		# SIGRTMIN+4 is systemd's poweroff; SIGTERM would only make it
		# re-execute itself.
		kill -s SIGRTMIN+4 "$ns_pid" 2>/dev/null || true
		for _ in $(seq 100); do
			kill -0 "$ns_pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -0 "$ns_pid" 2>/dev/null && kill -9 "$ns_pid" 2>/dev/null || true
	fi
	[ -n "$unshare_pid" ] && wait "$unshare_pid" 2>/dev/null || true
	[ -n "$root_dir" ] && rmdir "$root_dir" 2>/dev/null || true
	rm -rf "$scratch"
}
trap cleanup EXIT

if [ $# -eq 2 ]; then
	deb="$(realpath "$1")"
	upgrade_deb="$(realpath "$2")"
elif [ $# -eq 0 ]; then
	# Install the build dependencies only when something is missing.
	deps=--no-deps
	(cd "$src" && dpkg-checkbuilddeps) >/dev/null 2>&1 || deps=""
	deb="$("$src/tools/build-deb.sh" $deps "$scratch/v1" | tail -n 1)"
	base="$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)"
	upgrade_deb="$("$src/tools/build-deb.sh" --no-deps --version "$base+upgradetest1" "$scratch/v2" | tail -n 1)"
else
	sed -n 's/^#   tools/tools/p' "$0" >&2
	exit 2
fi
# The debs must be reachable from inside: the overlay shows this machine's
# /var/tmp but not its /tmp.
cp "$deb" "$upgrade_deb" "$scratch/"
deb="$scratch/$(basename "$deb")"
upgrade_deb="$scratch/$(basename "$upgrade_deb")"

# --- boot -----------------------------------------------------------------
root_dir="$(mktemp -d /var/tmp/sd.XXXXXX)"
setsid unshare --pid --fork --mount --uts --ipc --propagation private bash -c '
	D="$1"
	mount -t tmpfs -o size=2g tmpfs "$D"; mkdir "$D/upper" "$D/work" "$D/root"
	mount -t overlay overlay -o lowerdir=/,upperdir="$D/upper",workdir="$D/work" "$D/root"
	mount --rbind /dev "$D/root/dev"; mount -t proc proc "$D/root/proc"
	mount --rbind /sys "$D/root/sys"
	mount -t tmpfs tmpfs "$D/root/run"; mount -t tmpfs tmpfs "$D/root/tmp"
	cd "$D/root" && exec chroot . /lib/systemd/systemd --system' boot "$root_dir" \
	> "$scratch/boot.log" 2>&1 < /dev/null &
unshare_pid=$!
for _ in $(seq 100); do
	ns_pid="$(pgrep -P "$unshare_pid" || true)"
	[ -n "$ns_pid" ] && [ "$(cat "/proc/$ns_pid/comm" 2>/dev/null)" = systemd ] && break
	ns_pid=""
	sleep 0.1
done
if [ -z "$ns_pid" ]; then
	echo "test-deb.sh: systemd did not start in a namespace here; skipped" >&2
	cat "$scratch/boot.log" >&2
	exit 77
fi

inside() {
	nsenter -t "$ns_pid" -m -p -u -i --root="/proc/$ns_pid/root" --wd=/ \
		env -C / -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

# Until PID 1 listens on its private socket, systemctl cannot even ask.
state=""
for _ in $(seq 600); do
	state="$(inside systemctl is-system-running 2>/dev/null || true)"
	case "$state" in
	running|degraded|maintenance|stopping) break ;;
	esac
	sleep 0.1
done
case "$state" in
running|degraded) ;;
*) echo "test-deb.sh: the namespace's systemd reached '$state'; skipped" >&2; exit 77 ;;
esac

passed=0
failed=0
check() {
	local what="$1"; shift
	if "$@" > "$scratch/check.out" 2>&1; then
		echo "ok - $what"
		passed=$((passed + 1))
	else
		echo "not ok - $what"
		sed 's/^/    /' "$scratch/check.out"
		failed=$((failed + 1))
	fi
}
# Succeeds when the output of the command (after the first argument) equals
# the first argument.
equals() {
	local want="$1"; shift
	local got
	got="$("$@" 2>&1)" || true
	[ "$got" = "$want" ] || { echo "expected '$want', got '$got'"; return 1; }
}

# A container image may forbid starting services during apt (policy-rc.d
# answering 101); a real machine does not.  Removed in the overlay only.
inside rm -f /usr/sbin/policy-rc.d
# polkitd up before the install shows it picks up our actions without a
# restart.
inside systemctl start polkit.service

# Waits up to 10 s for the unit to be active.
wait_active() {
	for _ in $(seq 100); do
		[ "$(inside systemctl is-active offlinefiles-syncd.service)" = active ] && return 0
		sleep 0.1
	done
	return 1
}

# Running services, less packagekit.service: apt's own DPkg::Post-Invoke
# hook (20packagekit) activates it over D-Bus after every dpkg run.
services() {
	inside systemctl list-units --type=service --state=running --no-legend --plain \
		| awk '$1 != "packagekit.service" { print $1 }' | sort
}

# --- install --------------------------------------------------------------
services > "$scratch/before"
check "install with apt" inside apt-get install -y -q "$deb"
wait_active || true
services > "$scratch/after"
check "the unit is enabled" equals enabled inside systemctl is-enabled offlinefiles-syncd.service
check "the unit is active" equals active inside systemctl is-active offlinefiles-syncd.service
check "installing started only offlinefiles-syncd" \
	equals offlinefiles-syncd.service comm -13 "$scratch/before" "$scratch/after"
check "SyncInterval over the system bus" equals "q 360" inside busctl --system get-property \
	org.offlinefiles.BackgroundSync /org/offlinefiles/BackgroundSync \
	org.offlinefiles.BackgroundSync SyncInterval
check "background-sync.conf is a conffile" \
	inside sh -c "dpkg-query -W -f='\${Conffiles}' offlinefiles | grep -q ' /etc/offlinefiles/background-sync.conf '"
check "the config drop-in directories are there" \
	inside test -d /etc/offlinefiles/background-sync.conf.d -a -d /etc/offlinefiles/shares.d
check "polkitd knows the actions without a restart" \
	inside pkaction --action-id org.offlinefiles.backgroundsync.configure
check "the client is installed" inside offlinefilesctl get SyncInterval

# Settings, state and a work-offline flag that the upgrade must keep.
inside mkdir -p /srv/offlinefiles-test/local /srv/offlinefiles-test/remote
inside sh -c 'printf "[Share]\nLocalPath=/srv/offlinefiles-test/local\nRemotePath=/srv/offlinefiles-test/remote\nUser=nobody\n" > /etc/offlinefiles/shares.d/pkgtest.conf'
check "set SyncInterval" inside offlinefilesctl --no-ask-password set SyncInterval 120
for _ in $(seq 50); do
	inside offlinefilesctl shares 2>/dev/null | grep -q pkgtest && break
	sleep 0.1
done
check "put a share in work-offline mode" inside offlinefilesctl --no-ask-password work-offline pkgtest on
first_start="$(inside sed -n 's/^FirstStart=//p' /var/lib/offlinefiles/state)"
pid_before="$(inside systemctl show -p MainPID --value offlinefiles-syncd.service)"

# --- upgrade --------------------------------------------------------------
check "upgrade with apt" inside apt-get install -y -q "$upgrade_deb"
wait_active || true
pid_after="$(inside systemctl show -p MainPID --value offlinefiles-syncd.service)"
check "the upgrade restarted the daemon" \
	test "$pid_after" != 0 -a "$pid_after" != "$pid_before"
check "the setting survived the upgrade" equals 120 inside offlinefilesctl get SyncInterval
check "the state survived the upgrade" \
	equals "$first_start" inside sed -n 's/^FirstStart=//p' /var/lib/offlinefiles/state
check "the work-offline flag survived the upgrade" \
	inside sh -c 'offlinefilesctl shares | grep -q "Work offline: yes"'

# --- D-Bus activation -----------------------------------------------------
inside systemctl stop offlinefiles-syncd.service
check "a D-Bus call activates the stopped daemon" equals "q 120" inside busctl --system \
	get-property org.offlinefiles.BackgroundSync /org/offlinefiles/BackgroundSync \
	org.offlinefiles.BackgroundSync SyncInterval
check "systemctl reload" inside systemctl reload offlinefiles-syncd.service

# --- purge ----------------------------------------------------------------
# The share definition is the admin's own file, which dpkg leaves behind.
inside rm -f /etc/offlinefiles/shares.d/pkgtest.conf
check "purge with apt" inside apt-get purge -y -q offlinefiles
check "purge stopped the daemon" equals inactive inside systemctl is-active offlinefiles-syncd.service
check "purge removed /var/lib/offlinefiles" inside test ! -e /var/lib/offlinefiles
check "purge removed /etc/offlinefiles" inside test ! -e /etc/offlinefiles
check "purge removed the enablement links" inside sh -c \
	'! ls /etc/systemd/system/*/offlinefiles-syncd.service /etc/systemd/system/dbus-org.offlinefiles.BackgroundSync.service 2>/dev/null'

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
