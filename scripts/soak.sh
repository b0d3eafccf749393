#!/bin/bash
# Soak: 16 callers in 8 network namespaces stat, read, write and truncate through a real
# mount for a bounded time (default 2 minutes) while other namespaces are created and
# destroyed; every byte read is checked, and the daemon's fds and RSS must not grow (measured
# with the daemon quiet, after a warm-up: the test must pass on a loaded machine too). Root;
# everything lives in a private mount namespace.
# Usage: scripts/soak.sh [--minutes N] [--seconds N]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=120
while [ $# -gt 0 ]; do
	case "$1" in
	--minutes) seconds=$(awk -v m="$2" 'BEGIN { print m * 60 }'); shift 2 ;;
	--seconds) seconds=$2; shift 2 ;;
	*) echo "usage: scripts/soak.sh [--minutes N] [--seconds N]" >&2; exit 2 ;;
	esac
done

if [ -z "${RCFS_SOAK_INSIDE:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "soak: run as root" >&2; exit 1; }
	BUILD=${RCFS_BUILD:-build}
	# Under meson test (RCFS_SOAK_BUILT=1) the binaries are built already, and a tree copied
	# to a machine without the -dev packages (scripts/test-vm.sh's guest) cannot rebuild.
	if [ -z "${RCFS_SOAK_BUILT:-}" ]; then
		[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" >/dev/null
		ninja -C "$BUILD" resolvconffs tests/soak >/dev/null
	fi
	export RCFS_SOAK_INSIDE=1 RCFS_BUILD=$BUILD
	exec unshare --mount --propagation private -- "$0" --seconds "$seconds"
fi

case "$RCFS_BUILD" in /*) ;; *) RCFS_BUILD=$PWD/$RCFS_BUILD ;; esac
BIN=$RCFS_BUILD/resolvconffs
SOAK=$RCFS_BUILD/tests/soak
W=$(mktemp -d /tmp/rcfs-soak.XXXXXX)
pids=()
daemon=
cleanup() {
	exec 2>/dev/null # no "Killed" notices for our own sleepers
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	[ -n "$daemon" ] && kill -TERM "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
	umount -l "$W" 2>/dev/null || true
	rmdir "$W" 2>/dev/null || true
}
trap cleanup EXIT
mount -t tmpfs -o mode=755 rcfs-soak "$W"
mkdir -m 755 "$W/backing"
echo "original" >"$W/target.conf"
printf 'nameserver 192.0.2.1\n# template\n' >"$W/template"
env --default-signal=TERM "$BIN" -d "$W/template" "$W/backing" "$W/target.conf" 2>"$W/daemon.log" &
daemon=$!
for _ in $(seq 100); do grep -q serving "$W/daemon.log" && break; sleep 0.05; done
for _ in $(seq 8); do
	unshare --net sleep 1000000 &
	pids+=($!)
done
sleep 0.2
# The daemon's RSS may grow by this much from the start to the end (both taken with it
# quiet, the start after a warm-up: tests/soak/soak.c). Not checked on a sanitizer build:
# ASan's quarantine holds freed memory back, up to hundreds of MiB.
rss_check=(-r 1024)
if [ "${RCFS_SANITIZED:-0}" = 1 ] || grep -qa __asan_init "$BIN"; then
	rss_check=()
fi
rc=0
"$SOAK" "${rss_check[@]}" "$W/target.conf" "$daemon" "$seconds" "$W/template" "${pids[@]}" ||
	rc=$?
kill -TERM "$daemon"
wait "$daemon" || rc=1
daemon=
if grep -E "AddressSanitizer|runtime error|WRONG" "$W/daemon.log"; then rc=1; fi
echo "soak: backing files at the end: $(ls "$W/backing" | wc -l)"
exit $rc
