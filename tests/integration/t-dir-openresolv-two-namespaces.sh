#!/bin/bash
# Layout (a), with Debian 12's openresolv 3.12 unmodified: the directory mode over its state
# directory /run/resolvconf (interfaces/, metrics/, private/, exclusive/, deprecated/, the
# lock directory and resolv.conf) and /etc/resolv.conf a symlink into it, with
# resolv_conf=/run/resolvconf/resolv.conf in /etc/resolvconf.conf so that its backup
# (resolv.conf.bak beside resolv.conf) is per namespace too: with the packaged
# resolv_conf=/etc/resolv.conf the host's backup is restored into a namespace whose last
# interface goes. "resolvconf -a veth0"
# from two named namespaces, then -u and -d in each: each namespace's /etc/resolv.conf holds
# only its own server, getent hosts is answered by its own dnsmasq, the host's file and view
# are untouched.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-pkg.sh"

private_run
pkg_install_private openresolv
host_sum=$(host_resolv_conf_sum)
host_conf=$(cat /etc/resolv.conf)

# The admin's commands (README, layout a): the host keeps its state in its own directory.
STATE=$T/state
H=$STATE/$(stat -L -c %i /proc/self/ns/net)
mkdir -p "$H" /run/resolvconf
cp -a /run/resolvconf/. "$H/"
[ -e "$H/resolv.conf" ] || cp /etc/resolv.conf "$H/resolv.conf"
MNT=/run/resolvconf
start_daemon --dir "$STATE" /run/resolvconf
ln -sf /run/resolvconf/resolv.conf /etc/resolv.conf
sed -i 's|^resolv_conf=.*|resolv_conf=/run/resolvconf/resolv.conf|' /etc/resolvconf.conf
net_setup

# The host registers an interface first: openresolv backs up the host's resolv.conf (not its
# own) as resolv.conf.bak beside it, to restore when the last interface goes.
check "resolvconf -a on the host" sh -c "printf 'nameserver 10.9.9.9\n' | resolvconf -a hostif"
assert_eq "10.9.9.9" "$(sed -n 's/^nameserver //p' /etc/resolv.conf)" "the host's own server"

for n in A B; do
	ns=NS_$n
	ip=$([ $n = A ] && echo 10.200.1.1 || echo 10.200.2.1)
	check "resolvconf -a in $n" in_named "${!ns}" sh -c \
		"printf 'nameserver $ip\n' | resolvconf -a veth0"
done
[ -d "$STATE/$NS_A/interfaces" ] || fail "no $STATE/$NS_A/interfaces"
[ -d "$STATE/$NS_B/interfaces" ] || fail "no $STATE/$NS_B/interfaces"
for n in A B; do
	ns=NS_$n
	check "resolvconf -u in $n" in_named "${!ns}" resolvconf -u
done
assert_eq "10.200.1.1" "$(nameservers_of "$NS_A")" "A's resolv.conf after -a, -u"
assert_eq "10.200.2.1" "$(nameservers_of "$NS_B")" "B's resolv.conf after -a, -u"
assert_eq "veth0" "$(in_named "$NS_A" resolvconf -i | xargs)" "A's interfaces"
assert_eq "192.0.2.1" "$(resolved_by "$NS_A")" "A answered by its own dnsmasq"
assert_eq "192.0.2.2" "$(resolved_by "$NS_B")" "B answered by its own dnsmasq"
assert_eq "10.9.9.9" "$(sed -n 's/^nameserver //p' /etc/resolv.conf)" "the host's view"

# A lease renewal in A after B's registration: still only A's server.
check "B -a again" in_named "$NS_B" sh -c "printf 'nameserver 10.200.2.1\n' | resolvconf -a veth0"
check "A -u again" in_named "$NS_A" resolvconf -u
assert_eq "10.200.1.1" "$(nameservers_of "$NS_A")" "A's resolv.conf after B's -a and A's -u"

check "resolvconf -d in A" in_named "$NS_A" resolvconf -d veth0
assert_eq "" "$(nameservers_of "$NS_A")" "A's resolv.conf after -d"
assert_eq "10.200.2.1" "$(nameservers_of "$NS_B")" "B's resolv.conf after A's -d"
assert_eq "192.0.2.2" "$(resolved_by "$NS_B")" "B after A's -d"
check "resolvconf -d in B" in_named "$NS_B" resolvconf -d veth0
assert_eq "" "$(nameservers_of "$NS_B")" "B's resolv.conf after -d"
in_named "$NS_A" test -e /run/resolvconf/lock && fail "A's lock directory left behind"

check "resolvconf -d on the host" resolvconf -d hostif
assert_eq "$host_conf" "$(cat /etc/resolv.conf)" "the host's view at the end (its backup)"
assert_eq "$host_conf" "$(cat "$STATE/$HOST_ID/resolv.conf")" "the host's backing file"
assert_eq "$host_sum" "$(host_resolv_conf_sum)" "the host's real /etc/resolv.conf"
stop_daemon
pass
