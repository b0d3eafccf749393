#!/bin/sh
# Installs, from Debian 12's archive, everything the build, the demo, the tests, the
# Debian 12 VM (scripts/test-vm.sh: debootstrap, qemu, mkfs.ext4 -d) and the benchmark use.
# Run as root.
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends \
	meson ninja-build gcc libc6-dev pkg-config libfuse3-dev fuse3 libcmocka-dev libsystemd-dev \
	iproute2 util-linux procps dnsmasq-base valgrind gnuplot-nox python3 \
	systemd git build-essential dpkg-dev debhelper \
	clang libclang-rt-14-dev clang-format cppcheck \
	debootstrap debian-archive-keyring wget qemu-system-x86 e2fsprogs
