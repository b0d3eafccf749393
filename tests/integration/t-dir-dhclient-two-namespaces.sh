#!/bin/bash
# Debian 12's dhclient (isc-dhcp-client) and dhclient-script, unmodified and without a
# resolvconf hook, against each namespace's own dnsmasq, over layout (c): the directory mode
# on /run/resolvconffs, /etc/resolv.conf -> /run/resolvconffs/resolv.conf. dhclient-script
# resolves the link and writes resolv.conf.dhclient-new.$$ beside its target, then
# "cat >" onto it (in place): each namespace's file holds only the server its DHCP gave it,
# getent hosts is answered by that server, the host's file and view are untouched.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-pkg.sh"

private_run
pkg_install_private isc-dhcp-client isc-dhcp-common
host_sum=$(host_resolv_conf_sum)
host_conf=$(cat /etc/resolv.conf)

STATE=$T/state
TEMPLATE=$T/template
mkdir -p "$STATE" "$TEMPLATE" /run/resolvconffs
cp /etc/resolv.conf "$TEMPLATE/resolv.conf"
MNT=/run/resolvconffs
start_daemon --dir -d "$TEMPLATE" "$STATE" /run/resolvconffs
ln -sf /run/resolvconffs/resolv.conf /etc/resolv.conf
net_setup dhcp

dhclient_up "$NS_A" 1
dhclient_up "$NS_B" 2
assert_eq "10.200.1.1" "$(nameservers_of "$NS_A")" "A's resolv.conf from its lease"
assert_eq "10.200.2.1" "$(nameservers_of "$NS_B")" "B's resolv.conf from its lease"
assert_eq "resolv.conf" "$(in_named "$NS_A" ls -A /run/resolvconffs | xargs)" "A's directory"
assert_eq "192.0.2.1" "$(resolved_by "$NS_A")" "A answered by its own dnsmasq"
assert_eq "192.0.2.2" "$(resolved_by "$NS_B")" "B answered by its own dnsmasq"

assert_eq "$host_conf" "$(cat /etc/resolv.conf)" "the host's view"
assert_eq "$host_conf" "$(cat "$TEMPLATE/resolv.conf")" "the template"
assert_eq "$host_sum" "$(host_resolv_conf_sum)" "the host's real /etc/resolv.conf"
stop_daemon
pass
