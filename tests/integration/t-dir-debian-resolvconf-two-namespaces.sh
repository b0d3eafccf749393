#!/bin/bash
# Layout (b), with Debian 12's resolvconf 1.91 unmodified: the directory mode over
# /run/resolvconf, /etc/resolv.conf -> ../run/resolvconf/resolv.conf (the symlink it expects),
# a template directory with updates enabled. Its update script writes resolv.conf_new.$$ and
# renames it onto resolv.conf, and "-a" renames IFACE_new.$$ onto interface/IFACE (from a cwd
# that was the template's until the first write): "resolvconf -a" from two named namespaces,
# then -u and -d in each; each namespace's /etc/resolv.conf holds only its own server and
# getent hosts is answered by its own dnsmasq; the host's file and view are untouched.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-pkg.sh"

private_run
pkg_install_private resolvconf
host_sum=$(host_resolv_conf_sum)
host_conf=$(cat /etc/resolv.conf)

# The admin's commands (README, layout b).
STATE=$T/state
TEMPLATE=$T/template
H=$STATE/$(stat -L -c %i /proc/self/ns/net)
mkdir -p "$TEMPLATE/interface" "$H" /run/resolvconf && touch "$TEMPLATE/enable-updates"
cp -a "$TEMPLATE/." /run/resolvconf/. "$H/"
[ -e "$H/resolv.conf" ] || cp /etc/resolv.conf "$H/resolv.conf"
MNT=/run/resolvconf
start_daemon --dir -d "$TEMPLATE" "$STATE" /run/resolvconf
ln -sf ../run/resolvconf/resolv.conf /etc/resolv.conf
net_setup

for n in A B; do
	ns=NS_$n
	ip=$([ $n = A ] && echo 10.200.1.1 || echo 10.200.2.1)
	check "resolvconf -a in $n" in_named "${!ns}" sh -c \
		"printf 'nameserver $ip\n' | resolvconf -a veth0.inet"
done
[ -f "$STATE/$NS_A/interface/veth0.inet" ] || fail "no $STATE/$NS_A/interface/veth0.inet"
[ -f "$STATE/$NS_B/interface/veth0.inet" ] || fail "no $STATE/$NS_B/interface/veth0.inet"
assert_eq "" "$(ls -A "$TEMPLATE/interface")" "the template's interface directory"
assert_eq "10.200.1.1" "$(nameservers_of "$NS_A")" "A's resolv.conf after -a"
assert_eq "10.200.2.1" "$(nameservers_of "$NS_B")" "B's resolv.conf after -a"
for n in A B; do
	ns=NS_$n
	check "resolvconf -u in $n" in_named "${!ns}" resolvconf -u
done
assert_eq "10.200.1.1" "$(nameservers_of "$NS_A")" "A's resolv.conf after -u"
assert_eq "10.200.2.1" "$(nameservers_of "$NS_B")" "B's resolv.conf after -u"
assert_eq "veth0.inet" "$(in_named "$NS_A" resolvconf -i | xargs)" "A's interfaces"
assert_eq "192.0.2.1" "$(resolved_by "$NS_A")" "A answered by its own dnsmasq"
assert_eq "192.0.2.2" "$(resolved_by "$NS_B")" "B answered by its own dnsmasq"
assert_eq "$host_conf" "$(cat /etc/resolv.conf)" "the host's view"
out=$(in_named "$NS_A" ls -A /run/resolvconf | xargs)
case "$out" in
*_new.*) fail "A's temporary file left behind: $out" ;;
esac

check "resolvconf -d in A" in_named "$NS_A" resolvconf -d veth0.inet
assert_eq "" "$(nameservers_of "$NS_A")" "A's resolv.conf after -d"
assert_eq "10.200.2.1" "$(nameservers_of "$NS_B")" "B's resolv.conf after A's -d"
assert_eq "192.0.2.2" "$(resolved_by "$NS_B")" "B after A's -d"
check "resolvconf -d in B" in_named "$NS_B" resolvconf -d veth0.inet
assert_eq "" "$(nameservers_of "$NS_B")" "B's resolv.conf after -d"

assert_eq "$host_conf" "$(cat /etc/resolv.conf)" "the host's view at the end"
assert_eq "$host_conf" "$(cat "$STATE/$HOST_ID/resolv.conf")" "the host's backing file"
assert_eq "$host_sum" "$(host_resolv_conf_sum)" "the host's real /etc/resolv.conf"
stop_daemon
pass
