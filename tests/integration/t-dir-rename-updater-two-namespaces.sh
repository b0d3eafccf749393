#!/bin/bash
# Layout (c): a plain directory /run/resolvconffs in directory mode, /etc/resolv.conf ->
# /run/resolvconffs/resolv.conf, the template the host's resolv.conf. In two named
# namespaces, temp-file + rename updaters (resolv.conf.new + mv, sed -i, python's
# os.replace) each leave only their own server, and getent hosts is answered by the
# namespace's own dnsmasq; the host's file and view are untouched.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-pkg.sh"

private_run
pkg_install_private # no package: only the /etc overlay and $HOST_ETC
host_sum=$(host_resolv_conf_sum)
host_conf=$(cat /etc/resolv.conf)

# The admin's commands (README, layout c).
STATE=$T/state
TEMPLATE=$T/template
mkdir -p "$STATE" "$TEMPLATE" /run/resolvconffs
cp /etc/resolv.conf "$TEMPLATE/resolv.conf"
MNT=/run/resolvconffs
start_daemon --dir -d "$TEMPLATE" "$STATE" /run/resolvconffs
ln -sf /run/resolvconffs/resolv.conf /etc/resolv.conf
net_setup

assert_eq "$host_conf" "$(in_named "$NS_A" cat /etc/resolv.conf)" "A reads the template"
for n in 1 2; do
	ns=$([ $n = 1 ] && echo "$NS_A" || echo "$NS_B")
	check "mv updater in $ns" in_named "$ns" sh -c \
		"echo 'nameserver 10.200.$n.9' >/run/resolvconffs/resolv.conf.new &&
		 mv -f /run/resolvconffs/resolv.conf.new /run/resolvconffs/resolv.conf"
	assert_eq "10.200.$n.9" "$(nameservers_of "$ns")" "$ns after mv"
	# sed -i writes a temporary file beside the file and renames it onto the file.
	check "sed -i in $ns" in_named "$ns" sed -i "s/10.200.$n.9/10.200.$n.1/" \
		/run/resolvconffs/resolv.conf
	assert_eq "10.200.$n.1" "$(nameservers_of "$ns")" "$ns after sed -i"
done
if command -v python3 >/dev/null; then
	check "os.replace in A" in_named "$NS_A" python3 -c "
import os
with open('/run/resolvconffs/.resolv.conf.tmp', 'w') as f:
    f.write('search a.example\nnameserver 10.200.1.1\n')
os.replace('/run/resolvconffs/.resolv.conf.tmp', '/run/resolvconffs/resolv.conf')"
	assert_eq "search a.example" "$(in_named "$NS_A" head -n 1 /etc/resolv.conf)" "A after os.replace"
fi
assert_eq "10.200.1.1" "$(nameservers_of "$NS_A")" "A's servers"
assert_eq "10.200.2.1" "$(nameservers_of "$NS_B")" "B's servers"
assert_eq "resolv.conf" "$(in_named "$NS_A" ls -A /run/resolvconffs | xargs)" "A's directory"
assert_eq "192.0.2.1" "$(resolved_by "$NS_A")" "A answered by its own dnsmasq"
assert_eq "192.0.2.2" "$(resolved_by "$NS_B")" "B answered by its own dnsmasq"

assert_eq "$host_conf" "$(cat /etc/resolv.conf)" "the host's view"
assert_eq "$host_conf" "$(cat "$TEMPLATE/resolv.conf")" "the template"
[ -e "$STATE/$HOST_ID" ] && fail "a directory for the host was made"
assert_eq "$host_sum" "$(host_resolv_conf_sum)" "the host's real /etc/resolv.conf"
stop_daemon
pass
