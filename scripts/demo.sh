#!/bin/bash
# The main job, shown for real: resolvconffs mounted over /etc/resolv.conf (inside a private
# mount namespace: the host's file is never touched), two named network namespaces "red" and
# "blue" each with a dnsmasq on its own loopback, and the glibc resolver in each namespace
# answered by its own DNS server -- entered with nsenter, not ip netns exec. Run as root.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${RCFS_DEMO_INSIDE:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "demo: run as root" >&2; exit 1; }
	if [ ! -x build/resolvconffs ]; then
		meson setup build >/dev/null
	fi
	ninja -C build >/dev/null
	export RCFS_DEMO_INSIDE=1
	exec unshare --mount --propagation private -- "$0" "$@"
fi

BIN=$PWD/build/resolvconffs
RED=rcfs-demo-$$-red
BLUE=rcfs-demo-$$-blue
W=$(mktemp -d /tmp/rcfs-demo.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	ip netns del "$RED" 2>/dev/null || true
	ip netns del "$BLUE" 2>/dev/null || true
	umount -l "$W" 2>/dev/null || true
	rmdir "$W" 2>/dev/null || true
}
trap cleanup EXIT
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '\033[2m$ %s\033[0m\n' "$*"; "$@"; }

mount -t tmpfs -o mode=755 rcfs-demo "$W"
mount -t tmpfs -o mode=755 rcfs-demo-run /run # ip netns state stays in this mount namespace
mkdir -m 755 "$W/backing"
cp /etc/resolv.conf "$W/host-resolv.conf"

say "Two named network namespaces, each with its own DNS server on its own loopback"
for ns in "$RED" "$BLUE"; do
	ip netns add "$ns"
	ip -n "$ns" link set lo up
done
ip netns exec "$RED" dnsmasq -k --no-resolv --no-hosts --bind-interfaces --listen-address=127.0.0.1 \
	--user=root --pid-file="$W/red.pid" --address=/whoami.demo/10.0.0.1 2>/dev/null &
pids+=($!)
ip netns exec "$BLUE" dnsmasq -k --no-resolv --no-hosts --bind-interfaces --listen-address=127.0.0.2 \
	--user=root --pid-file="$W/blue.pid" --address=/whoami.demo/10.0.0.2 2>/dev/null &
pids+=($!)
# Files by ip netns name (BACKING/NAME.conf); a file by inode number works too (ID.conf).
printf 'nameserver 127.0.0.1\n# red\n' >"$W/backing/$RED.conf"
printf 'nameserver 127.0.0.2\n# blue\n' >"$W/backing/$BLUE.conf"
show ls -l "$W/backing"

say "Mount resolvconffs over /etc/resolv.conf (host namespace: served a copy of its file)"
show "$BIN" --version
"$BIN" -v -d "$W/host-resolv.conf" "$W/backing" /etc/resolv.conf 2>"$W/daemon.log" &
pids+=($!)
for _ in $(seq 100); do grep -q "serving" "$W/daemon.log" && break; sleep 0.05; done
cat "$W/daemon.log"
show findmnt -n /etc/resolv.conf

say "Each namespace reads its own /etc/resolv.conf (entered with nsenter, no mount namespace)"
show cat /etc/resolv.conf
show nsenter --net="/run/netns/$RED" cat /etc/resolv.conf
show nsenter --net="/run/netns/$BLUE" cat /etc/resolv.conf

say "The glibc resolver in each namespace asks its own DNS server"
for _ in $(seq 50); do
	nsenter --net="/run/netns/$RED" getent hosts whoami.demo >/dev/null 2>&1 && break
	sleep 0.1
done
show nsenter --net="/run/netns/$RED" getent hosts whoami.demo
show nsenter --net="/run/netns/$BLUE" getent hosts whoami.demo

say "A fresh namespace reads the default file; its first write creates its own file"
show unshare --net sh -c 'cat /etc/resolv.conf | head -n 2; echo "nameserver 192.0.2.53" >/etc/resolv.conf; echo "after write:"; cat /etc/resolv.conf'
show ls -l "$W/backing"
show cat /etc/resolv.conf

say "What the daemon decided (-v)"
grep "open:" "$W/daemon.log" | tail -n 8

say "Who is served which file (--list, no mount needed)"
show "$BIN" --list -d "$W/host-resolv.conf" "$W/backing" /etc/resolv.conf

say "SIGTERM unmounts; /etc/resolv.conf is the original file again"
kill -TERM "${pids[2]}"
wait "${pids[2]}"
show findmnt -n /etc/resolv.conf || echo "(no mount on /etc/resolv.conf)"
show cat /etc/resolv.conf
say "Demo done: every mount and namespace above lived in a private mount namespace."
