#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs what offlinefiles needs to build, run and test on Debian 12,
# and the unprivileged users the integration tests call as.  Run as root.
set -eu

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends \
  meson ninja-build pkg-config gcc clang libc6-dev libglib2.0-dev libglib2.0-bin libjson-glib-dev \
  polkitd pkexec dbus unison python3 python3-dbusmock python3-gi \
  gir1.2-polkit-1.0 libsystemd-dev gettext systemd tzdata faketime libfaketime \
  valgrind util-linux strace procps ca-certificates \
  scdoc bash-completion libclang-rt-14-dev \
  python3-fusepy fuse3 dbus-bin passwd gnuplot-nox prometheus-node-exporter \
  libgtk-4-dev libadwaita-1-dev xvfb xauth adwaita-icon-theme fonts-cantarell \
  desktop-file-utils appstream python3-pyatspi at-spi2-core imagemagick
# (fusepy, fuse3: a file server that hangs; dbus-bin: dbus-monitor, passwd:
# useradd, both used inside the systemd the system suite boots; gnuplot:
# the fleet benchmark's plot; prometheus-node-exporter: the metrics file
# as Prometheus reads it, test-metrics-file; GTK 4, libadwaita, Xvfb, the
# icon theme and font: the settings panel and its tests under Xvfb,
# pyatspi and at-spi2-core to drive the program from outside, imagemagick
# to photograph the screen; desktop-file-utils, appstream: its desktop
# entry and metainfo checked.)

# The Debian package (tools/build-deb.sh installs debian/control's
# Build-Depends itself; these are the packaging tools and the checker).
apt-get install -y -q --no-install-recommends \
  dpkg-dev debhelper fakeroot lintian libjson-glib-dev

# Test callers, each with a fixed polkit answer (see tests/harness.h).
for user in oftest-allow oftest-deny oftest-ask oftest-slow; do
  id "$user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$user"
done
