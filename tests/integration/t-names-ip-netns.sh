#!/bin/bash
# Named namespaces: BACKING/NAME.EXT before BACKING/ID.EXT, then /etc/netns/NAME/FILE, then
# the template; names added, removed and re-added while the daemon runs (daemon started before
# /run/netns existed); several names for one namespace (first in byte order that has a file);
# a write from a named namespace creates BACKING/NAME.EXT; unusable names are ignored.
. "$(dirname "$0")/lib.sh"

N=rcfs-t-$$
printf 'nameserver 192.0.2.1\n' >"$T/template"
# /etc/netns of this test only: a tmpfs over it in the private mount namespace, never the host's.
mkdir -p "$T/etc-netns"
start_daemon -v --etc-netns "$T/etc-netns" -d "$T/template" "$BACKING" "$MNT"
# /run/netns appears after the daemon started.
private_run

new_named_ns "$N-vpn"
VPN_ID=$(stat -L -c %i "/run/netns/$N-vpn")
in_vpn() { nsenter --net="/run/netns/$N-vpn" "$@"; }
assert_eq "nameserver 192.0.2.1" "$(in_vpn cat "$MNT")" "vpn without files: template"

mkdir "$T/etc-netns/$N-vpn"
echo "from etc-netns" >"$T/etc-netns/$N-vpn/target.conf"
eventually_eq "from etc-netns" "vpn: /etc/netns/NAME/FILE" in_vpn cat "$MNT"
echo "by id" >"$BACKING/$VPN_ID.conf"
assert_eq "by id" "$(in_vpn cat "$MNT")" "vpn: ID.conf before /etc/netns"
echo "by name" >"$BACKING/$N-vpn.conf"
assert_eq "by name" "$(in_vpn cat "$MNT")" "vpn: NAME.conf before ID.conf"
assert_eq "$(stat -c %s:%i "$BACKING/$N-vpn.conf")" "$(in_vpn stat -c %s:%i "$MNT")" "vpn stat"
# The kernel hands a deleted namespace's ID to the next new one: drop the ID file now.
rm "$BACKING/$VPN_ID.conf"

# Deleted and re-added under the same name: a new namespace (new ID), the same file.
ip netns del "$N-vpn"
new_named_ns "$N-vpn"
[ "$(stat -L -c %i "/run/netns/$N-vpn")" != "$VPN_ID" ] || echo "(the kernel reused the ID)"
eventually_eq "by name" "vpn re-added: its named file again" in_vpn cat "$MNT"

# A write from a named namespace without its own file creates NAME.conf from what it read.
new_named_ns "$N-dhcp"
mkdir "$T/etc-netns/$N-dhcp"
echo "etc view" >"$T/etc-netns/$N-dhcp/target.conf"
eventually_eq "etc view" "dhcp: reads /etc/netns" nsenter --net="/run/netns/$N-dhcp" cat "$MNT"
nsenter --net="/run/netns/$N-dhcp" sh -c "echo 'search lan' >>'$MNT'"
assert_eq "$(printf 'etc view\nsearch lan')" "$(cat "$BACKING/$N-dhcp.conf")" "dhcp: NAME.conf created"
assert_eq "etc view" "$(cat "$T/etc-netns/$N-dhcp/target.conf")" "/etc/netns file untouched"
[ ! -e "$BACKING/$(stat -L -c %i "/run/netns/$N-dhcp").conf" ] || fail "ID.conf created for a named namespace"

# Several names for one namespace: the first name in byte order that has a file.
new_ns B
ip netns attach "$N-b2" "$B"
NETNS_NAMES+=("$N-b2")
ip netns attach "$N-b1" "$B"
NETNS_NAMES+=("$N-b1")
echo "b2's file" >"$BACKING/$N-b2.conf"
eventually_eq "b2's file" "two names, only the second has a file" in_ns "$B" cat "$MNT"
echo "b1's file" >"$BACKING/$N-b1.conf"
assert_eq "b1's file" "$(in_ns "$B" cat "$MNT")" "two names: the first in byte order"
ip netns del "$N-b1"
eventually_eq "b2's file" "first name removed" in_ns "$B" cat "$MNT"
ip netns del "$N-b2"
echo "B by id" >"$BACKING/$(ns_id "$B").conf"
eventually_eq "B by id" "names removed: ID.conf" in_ns "$B" cat "$MNT"

# Unusable names are ignored: all digits (would be taken for an ID), too long for NAME.conf.
ip netns attach 424242 "$B"
NETNS_NAMES+=(424242)
long=$N-$(printf 'x%.0s' $(seq 240))
ip netns attach "$long" "$B"
NETNS_NAMES+=("$long")
eventually_eq 2 "both unusable names noticed" \
	sh -c "grep -o \"ignoring netns name '/run/netns/[^']*'\" '$T/daemon.log' | sort -u | wc -l"
echo "digits" >"$BACKING/424242.conf"
assert_eq "B by id" "$(in_ns "$B" cat "$MNT")" "an all-digit name is not used"
stop_daemon

# ip netns exec still works as before on a host running the daemon (binds over /etc only).
assert_eq "original file under the mount" "$(ip netns exec "$N-vpn" cat "$MNT")" "ip netns exec"
pass
