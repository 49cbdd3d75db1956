#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Builds the offlinefiles Debian package (Debian 12) into OUTDIR and prints
# the path of the .deb on the last line of stdout (the build's own output
# goes to stderr).  The source tree is left untouched: the build runs in a
# copy under a temporary directory, which is removed afterwards.
#
#   tools/build-deb.sh [--version VERSION] [--no-deps] [--lintian] OUTDIR
#
#   --version VERSION  build as VERSION (must sort after debian/changelog's
#                      version), e.g. 0.1.0+upgradetest1 for upgrade tests;
#                      the changelog entry is added to the copy only
#   --no-deps          do not apt-get install the build dependencies
#   --lintian          run lintian on the result; fail if it reports errors
#
# Run as root on a fresh machine it first installs what debian/control's
# Build-Depends lists (apt-get satisfy, so the list has one home).
set -euo pipefail

usage() {
	sed -n '/^#   tools/,/^#   --lintian/s/^# \{0,1\}//p' "$0" >&2
	exit 2
}

version=""
install_deps=1
run_lintian=0
outdir=""
while [ $# -gt 0 ]; do
	case "$1" in
	--version) [ $# -ge 2 ] || usage; version="$2"; shift 2 ;;
	--version=*) version="${1#--version=}"; shift ;;
	--no-deps) install_deps=0; shift ;;
	--lintian) run_lintian=1; shift ;;
	-h|--help) usage ;;
	-*) echo "build-deb.sh: unknown option $1" >&2; usage ;;
	*) [ -z "$outdir" ] || usage; outdir="$1"; shift ;;
	esac
done
[ -n "$outdir" ] || usage

src="$(cd "$(dirname "$0")/.." && pwd)"

# Build-Depends from debian/control as one dependency string.
build_depends() {
	awk '
		/^Build-Depends:/ { on = 1; sub(/^Build-Depends:/, ""); print; next }
		on && /^[ \t]/ { print; next }
		{ on = 0 }
	' "$src/debian/control" | tr '\n' ' ' | sed 's/[ \t]\+/ /g; s/^ //; s/, *$//'
}

if [ "$install_deps" = 1 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "build-deb.sh: installing build dependencies needs root (or pass --no-deps)" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	extra=""
	[ "$run_lintian" = 1 ] && extra=", lintian"
	{
		apt-get update -q
		apt-get satisfy -y -q --no-install-recommends \
			"build-essential, dpkg-dev, fakeroot, $(build_depends)$extra"
	} >&2
fi

if [ -n "$version" ]; then
	current="$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)"
	if ! dpkg --compare-versions "$version" gt "$current"; then
		echo "build-deb.sh: --version $version does not sort after $current" >&2
		exit 2
	fi
	case "$version" in
	*-*) echo "build-deb.sh: $version has a Debian revision; the package is native" >&2; exit 2 ;;
	esac
fi

mkdir -p "$outdir"
outdir="$(cd "$outdir" && pwd)"

work="$(mktemp -d "${TMPDIR:-/tmp}/offlinefiles-deb.XXXXXX")"
trap 'rm -rf "$work"' EXIT
tree="$work/offlinefiles"
mkdir "$tree"

# Copy the sources: in a git checkout the tracked and untracked files that
# are not ignored (so local build directories stay behind), else everything
# but build directories.
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$src" && git ls-files -z --cached --others --exclude-standard \
		| tar --null --files-from=- --ignore-failed-read -cf - 2>/dev/null) \
		| tar -C "$tree" -xf -
else
	tar -C "$src" --exclude='./.git' --exclude='./build*' --exclude='./obj-*' -cf - . | tar -C "$tree" -xf -
fi

if [ -n "$version" ]; then
	maintainer="$(cd "$tree" && dpkg-parsechangelog -S Maintainer)"
	{
		printf 'offlinefiles (%s) unstable; urgency=medium\n\n' "$version"
		printf '  * Local build of %s for upgrade tests.\n\n' "$version"
		printf ' -- %s  %s\n\n' "$maintainer" "$(date -R)"
		cat "$tree/debian/changelog"
	} > "$work/changelog"
	mv "$work/changelog" "$tree/debian/changelog"
fi

(cd "$tree" && dpkg-buildpackage -us -uc -b -Jauto) >&2

shopt -s nullglob
debs=("$work"/offlinefiles_*.deb)
[ ${#debs[@]} -eq 1 ] || { echo "build-deb.sh: expected one .deb, found ${#debs[@]}" >&2; exit 1; }
# Everything the .changes lists (the package and its -dbgsym), so that
# lintian and dput-like tools can read it from OUTDIR.
cp "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo "$outdir"/
deb="$outdir/$(basename "${debs[0]}")"

if [ "$run_lintian" = 1 ]; then
	changes=("$outdir"/"$(basename "${debs[0]}" | sed 's/\.deb$//')".changes)
	lintian --fail-on error --info "${changes[0]}" >&2
fi

echo "$deb"
