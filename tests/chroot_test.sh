#!/bin/sh
# `make test` of the committed tree (HEAD) on another Debian release, in a debootstrap chroot: by
# default trixie, whose Wireshark is 4.4 and Catch2 v3, where CI runs bookworm (4.0, Catch2 v2).
# Also Ubuntu 24.04 (noble: Wireshark 4.2). Needs root and network; the chroot is made on first use
# and kept for the next run.
# Usage: tests/chroot_test.sh [RELEASE [DIR]]
# SPDX-License-Identifier: GPL-2.0-or-later
set -eu
release=${1:-trixie}
root=${2:-/var/tmp/keepalive-$release}
top=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)

if ! command -v debootstrap >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi
# Ubuntu's archive key is not in Debian. A release pocket's Release file never changes once the
# release is out, so its SHA-256 here anchors the chain (Release, then main's package list, then
# the ubuntu-keyring package) to the key that checks all that debootstrap and apt fetch after.
ubuntu_keyring() {  # MIRROR RELEASE SHA256-OF-RELEASE DIR: prints the archive keyring's path
  arch=$(dpkg --print-architecture)
  wget -q -O "$4/Release" "$1/dists/$2/Release"
  echo "$3  $4/Release" | sha256sum -c --quiet >&2
  sum=$(awk -v f="main/binary-$arch/Packages.gz" '/^SHA256:/ {s = 1; next} /^[^ ]/ {s = 0} s && $3 == f {print $1}' "$4/Release")
  wget -q -O "$4/Packages.gz" "$1/dists/$2/main/binary-$arch/Packages.gz"
  echo "$sum  $4/Packages.gz" | sha256sum -c --quiet >&2
  zcat "$4/Packages.gz" | awk -v RS= '/(^|\n)Package: ubuntu-keyring\n/' >"$4/stanza"
  wget -q -O "$4/keyring.deb" "$1/$(sed -n 's/^Filename: //p' "$4/stanza")"
  echo "$(sed -n 's/^SHA256: //p' "$4/stanza")  $4/keyring.deb" | sha256sum -c --quiet >&2
  dpkg-deb -x "$4/keyring.deb" "$4/keyring"
  echo "$4/keyring/usr/share/keyrings/ubuntu-archive-keyring.gpg"
}

if [ ! -x "$root/usr/bin/make" ]; then
  case $release in
  noble)  # Ubuntu 24.04 LTS; Wireshark is in universe. Every Ubuntu release uses the gutsy script.
    mirror=http://archive.ubuntu.com/ubuntu
    keys=$(mktemp -d)
    keyring=$(ubuntu_keyring $mirror noble 26758a13cecfaff9ff274d31ea9a4633674a999bd130c09f6ecd66a4b8071184 "$keys")
    debootstrap --variant=minbase --include=make --components=main,universe --keyring="$keyring" \
      noble "$root" $mirror /usr/share/debootstrap/scripts/gutsy
    rm -rf "$keys"
    ;;
  *)
    # A release newer than this debootstrap (forky on bookworm) is made the way sid is.
    script=/usr/share/debootstrap/scripts/$release
    [ -e "$script" ] || script=/usr/share/debootstrap/scripts/sid
    debootstrap --variant=minbase --include=make "$release" "$root" http://deb.debian.org/debian "$script"
    ;;
  esac
fi
cp /etc/resolv.conf "$root/etc/resolv.conf"
trap 'umount -R "$root/dev" 2>/dev/null; umount "$root/proc" 2>/dev/null; true' EXIT
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
rm -rf "$root/src"
git clone -q "$top" "$root/src"
# make test installs what it needs inside, as on a fresh machine.
chroot "$root" sh -c 'cd /src && make test'
