#!/bin/bash
# Debian 12's dhclient (isc-dhcp-client) with openresolv's dhclient hook, all unmodified,
# against each namespace's own dnsmasq, over layout (a): the directory mode on openresolv's
# state directory /run/resolvconf, /etc/resolv.conf -> /run/resolvconf/resolv.conf. The hook
# hands the lease's servers to "resolvconf -a veth0": each namespace's state and resolv.conf
# hold only its own server, getent hosts is answered by it; "resolvconf -d" in A leaves B's
# alone; the host's file and view are untouched.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-pkg.sh"

private_run
pkg_install_private isc-dhcp-client isc-dhcp-common openresolv
[ -f /etc/dhcp/dhclient-enter-hooks.d/resolvconf ] || fail "openresolv's dhclient hook not laid out"
host_sum=$(host_resolv_conf_sum)
host_conf=$(cat /etc/resolv.conf)

STATE=$T/state
mkdir -p "$STATE/$HOST_ID" /run/resolvconf
cp /etc/resolv.conf "$STATE/$HOST_ID/resolv.conf"
MNT=/run/resolvconf
start_daemon --dir "$STATE" /run/resolvconf
ln -sf /run/resolvconf/resolv.conf /etc/resolv.conf
sed -i 's|^resolv_conf=.*|resolv_conf=/run/resolvconf/resolv.conf|' /etc/resolvconf.conf
net_setup dhcp

dhclient_up "$NS_A" 1
dhclient_up "$NS_B" 2
[ -f "$STATE/$NS_A/interfaces/veth0" ] || fail "no $STATE/$NS_A/interfaces/veth0"
[ -f "$STATE/$NS_B/interfaces/veth0" ] || fail "no $STATE/$NS_B/interfaces/veth0"
assert_eq "10.200.1.1" "$(nameservers_of "$NS_A")" "A's resolv.conf from its lease"
assert_eq "10.200.2.1" "$(nameservers_of "$NS_B")" "B's resolv.conf from its lease"
assert_eq "192.0.2.1" "$(resolved_by "$NS_A")" "A answered by its own dnsmasq"
assert_eq "192.0.2.2" "$(resolved_by "$NS_B")" "B answered by its own dnsmasq"

check "A resolvconf -u" in_named "$NS_A" resolvconf -u
assert_eq "10.200.1.1" "$(nameservers_of "$NS_A")" "A after -u"
check "A resolvconf -d" in_named "$NS_A" resolvconf -d veth0
assert_eq "" "$(nameservers_of "$NS_A")" "A after -d"
assert_eq "10.200.2.1" "$(nameservers_of "$NS_B")" "B after A's -d"

assert_eq "$host_conf" "$(cat /etc/resolv.conf)" "the host's view"
assert_eq "$host_conf" "$(cat "$STATE/$HOST_ID/resolv.conf")" "the host's backing file"
assert_eq "$host_sum" "$(host_resolv_conf_sum)" "the host's real /etc/resolv.conf"
stop_daemon
pass
