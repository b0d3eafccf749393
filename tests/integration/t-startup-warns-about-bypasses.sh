#!/bin/bash
# At start, a warning for what would bypass the served resolv.conf: 'resolve' in the hosts
# line of nsswitch.conf, and an nscd caching hosts. (Both files here are this test's own,
# bind-mounted in its private mount namespace.)
. "$(dirname "$0")/lib.sh"

echo "original" >"$T/resolv.conf"
MNT=$T/resolv.conf
printf 'passwd: files\nhosts: files dns\n' >"$T/nsswitch.clean"
printf 'passwd: files\nhosts: mymachines resolve [!UNAVAIL=return] files dns\n' >"$T/nsswitch.resolve"
mount --bind "$T/nsswitch.clean" /etc/nsswitch.conf
private_run

start_daemon -d "$T/resolv.conf" "$BACKING" "$MNT"
stop_daemon
grep -q "warning\|lists 'resolve'\|nscd" "$T/daemon.log" && fail "warned on a clean machine"

mount --bind "$T/nsswitch.resolve" /etc/nsswitch.conf
start_daemon -d "$T/resolv.conf" "$BACKING" "$MNT"
stop_daemon
grep -q "/etc/nsswitch.conf lists 'resolve' for hosts" "$T/daemon.log" || fail "no nss-resolve warning"

mount --bind "$T/nsswitch.clean" /etc/nsswitch.conf
mkdir -p /run/nscd
python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' /run/nscd/socket
start_daemon -d "$T/resolv.conf" "$BACKING" "$MNT"
stop_daemon
grep -q "nscd is running and caches hosts" "$T/daemon.log" || fail "no nscd warning"
pass
