#!/bin/sh
# `make test` of the committed tree (HEAD) on another Debian release, in a debootstrap chroot: by
# default trixie, whose Wireshark is 4.4 and Catch2 v3, where CI runs bookworm (4.0, Catch2 v2).
# Needs root and network; the chroot is made on first use and kept for the next run.
# Usage: tests/chroot_test.sh [RELEASE [DIR]]
# SPDX-License-Identifier: GPL-2.0-or-later
set -eu
release=${1:-trixie}
root=${2:-/var/tmp/keepalive-$release}
top=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)

if ! command -v debootstrap >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi
if [ ! -x "$root/usr/bin/make" ]; then
  # A release newer than this debootstrap (forky on bookworm) is made the way sid is.
  script=/usr/share/debootstrap/scripts/$release
  [ -e "$script" ] || script=/usr/share/debootstrap/scripts/sid
  debootstrap --variant=minbase --include=make "$release" "$root" http://deb.debian.org/debian "$script"
fi
cp /etc/resolv.conf "$root/etc/resolv.conf"
trap 'umount -R "$root/dev" 2>/dev/null; umount "$root/proc" 2>/dev/null; true' EXIT
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
rm -rf "$root/src"
git clone -q "$top" "$root/src"
# make test installs what it needs inside, as on a fresh machine.
chroot "$root" sh -c 'cd /src && make test'
