#!/bin/bash
# End to end through glibc: resolvconffs mounted over /etc/resolv.conf (in this test's private
# mount namespace), a dnsmasq on each namespace's own loopback answering differently, and
# getent hosts in each namespace gets its own namespace's answer.
. "$(dirname "$0")/lib.sh"

command -v dnsmasq >/dev/null || skip "dnsmasq not installed"
[ -f /etc/resolv.conf ] || skip "/etc/resolv.conf is not a regular file"

dns_ns() { # dns_ns PID ADDR ANSWER: lo up, dnsmasq on ADDR:53 answering whoami.rcfs.test
	in_ns "$1" ip link set lo up
	# nsenter execs dnsmasq, so $! is dnsmasq itself and the cleanup's kill reaches it.
	nsenter --target "$1" --net -- dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces \
		--listen-address="$2" --port=53 --user=root --pid-file="$T/dnsmasq.$1.pid" \
		--address="/whoami.rcfs.test/$3" 2>>"$T/dnsmasq.log" &
	EXTRA_PIDS+=("$!")
}

new_ns A
new_ns B
dns_ns "$A" 127.0.0.1 10.11.11.11
dns_ns "$B" 127.0.0.2 10.22.22.22
echo "nameserver 127.0.0.1" >"$BACKING/$(ns_id "$A").conf"
echo "nameserver 127.0.0.2" >"$BACKING/$(ns_id "$B").conf"
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$BACKING/$HOST_ID.conf"

MNT=/etc/resolv.conf
start_daemon "$BACKING" /etc/resolv.conf
for i in $(seq 50); do # dnsmasq up?
	in_ns "$A" getent hosts whoami.rcfs.test >/dev/null && in_ns "$B" getent hosts whoami.rcfs.test >/dev/null && break
	sleep 0.1
done
assert_eq "10.11.11.11" "$(in_ns "$A" getent hosts whoami.rcfs.test | awk '{ print $1 }')" "A's resolver"
assert_eq "10.22.22.22" "$(in_ns "$B" getent hosts whoami.rcfs.test | awk '{ print $1 }')" "B's resolver"
# The host namespace has no dnsmasq: its lookup fails rather than borrowing another's answer.
if out=$(getent hosts whoami.rcfs.test); then
	fail "host resolved via another namespace: $out"
fi
stop_daemon
pass
