# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced after lib.sh by the real-package tests (t-dir-openresolv-*, t-dir-debian-resolvconf-*,
# t-dir-dhclient-*, t-dir-rename-updater-*). Debian 12's packages, unmodified, are fetched with
# "apt-get download" into a cache in the build tree and extracted with "dpkg-deb -x"; they are
# never installed on the host (their maintainer scripts would take over its /etc/resolv.conf).
# pkg_install_private lays them over /etc and /usr through overlays (upper layers on the
# test's tmpfs) in the test's private mount namespace only. net_setup makes two named network
# namespaces A and B, each with a veth to a third namespace SRV running one dnsmasq per veth
# (DHCP and DNS; each answers *.test.example with its own address, 192.0.2.1 or 192.0.2.2).

: "${RCFS_PKG_CACHE:=$(dirname "$RCFS_BIN")/pkgs}"

command -v dpkg-deb >/dev/null || skip "needs dpkg-deb"
command -v apt-get >/dev/null || skip "needs apt-get"
command -v dnsmasq >/dev/null || skip "needs dnsmasq (dnsmasq-base)"

# pkg_fetch PKG...: each PKG's .deb in the cache, downloaded if absent. One download at a
# time (meson runs tests in parallel); a download lands under a temporary name first.
pkg_fetch() {
	local p tmp why
	mkdir -p "$RCFS_PKG_CACHE"
	exec 8>"$RCFS_PKG_CACHE/.lock"
	flock -w 300 8 || fail "lock on $RCFS_PKG_CACHE/.lock held for 300 s"
	for p in "$@"; do
		compgen -G "$RCFS_PKG_CACHE/${p}_*.deb" >/dev/null && continue
		tmp=$(mktemp -d "$RCFS_PKG_CACHE/.dl.XXXXXX")
		if ! (cd "$tmp" && timeout 300 apt-get -q -o APT::Sandbox::User=root download "$p") \
			>"$tmp.log" 2>&1; then
			why=$( (grep '^E:' "$tmp.log" || tail -n 1 "$tmp.log") | head -n 1)
			rm -rf "$tmp" "$tmp.log"
			fail "apt-get download $p failed (is the Debian archive reachable?): $why"
		fi
		mv "$tmp"/*.deb "$RCFS_PKG_CACHE/"
		rm -rf "$tmp" "$tmp.log"
	done
	exec 8>&-
}

# pkg_install_private PKG...: overlays /etc and /usr of this mount namespace (the host's are
# their read-only lower layers) and extracts each PKG into them, as dpkg would unpack it, with
# no maintainer script run. The host's /etc stays reachable, unchanged, at $HOST_ETC.
HOST_ETC=
pkg_install_private() {
	local p deb d
	pkg_fetch "$@"
	HOST_ETC=$T/host-etc
	mkdir -p "$HOST_ETC" "$T/pkgroot"
	mount --bind /etc "$HOST_ETC"
	mount -o remount,bind,ro "$HOST_ETC"
	for d in etc usr; do
		mkdir -p "$T/ovl/$d/upper" "$T/ovl/$d/work"
		mount -t overlay -o "lowerdir=/$d,upperdir=$T/ovl/$d/upper,workdir=$T/ovl/$d/work" \
			"rcfs-$d" "/$d" || fail "overlay on /$d"
	done
	for p in "$@"; do
		deb=$(compgen -G "$RCFS_PKG_CACHE/${p}_*.deb" | head -n 1)
		dpkg-deb -x "$deb" "$T/pkgroot" || fail "dpkg-deb -x $deb"
	done
	# Debian 12 is merged-/usr: /sbin, /bin and /lib are symlinks into /usr.
	for d in sbin bin lib; do
		if [ -d "$T/pkgroot/$d" ] && [ ! -L "$T/pkgroot/$d" ]; then
			cp -a "$T/pkgroot/$d/." "$(readlink -f "/$d")/"
		fi
	done
	[ -d "$T/pkgroot/etc" ] && cp -a "$T/pkgroot/etc/." /etc/
	[ -d "$T/pkgroot/usr" ] && cp -a "$T/pkgroot/usr/." /usr/
	return 0
}

# host_resolv_conf_sum: checksum of the host's real /etc/resolv.conf (not through the layout).
host_resolv_conf_sum() {
	sha256sum <"${HOST_ETC:-/etc}/resolv.conf" | cut -d' ' -f1
}

# net_setup: named namespaces $NS_A and $NS_B (veth0 in each, 10.200.1.2/24 and 10.200.2.2/24
# unless DHCP assigns), and $NS_SRV with the other ends and two dnsmasq: 10.200.1.1 for A
# answers *.test.example with 192.0.2.1, 10.200.2.1 for B with 192.0.2.2. Needs private_run.
NS_A=rcfs-$$-a
NS_B=rcfs-$$-b
NS_SRV=rcfs-$$-srv
net_setup() {
	local static=${1:-static} n i s
	new_named_ns "$NS_SRV"
	new_named_ns "$NS_A"
	new_named_ns "$NS_B"
	ip -n "$NS_SRV" link set lo up
	for n in 1 2; do
		s=$([ $n = 1 ] && echo "$NS_A" || echo "$NS_B")
		ip -n "$NS_SRV" link add "h$n" type veth peer name veth0 netns "$s" || fail "veth for $s"
		ip -n "$NS_SRV" addr add "10.200.$n.1/24" dev "h$n"
		ip -n "$NS_SRV" link set "h$n" up
		ip -n "$s" link set lo up
		ip -n "$s" link set veth0 up
		if [ "$static" = static ]; then
			ip -n "$s" addr add "10.200.$n.2/24" dev veth0
		fi
		nsenter --net="/run/netns/$NS_SRV" -- dnsmasq --keep-in-foreground --conf-file=/dev/null \
			--no-resolv --no-hosts --bind-interfaces --interface="h$n" --except-interface=lo \
			--listen-address="10.200.$n.1" --address="/test.example/192.0.2.$n" \
			--dhcp-range="10.200.$n.10,10.200.$n.50,255.255.255.0,1h" \
			--dhcp-leasefile="$T/dnsmasq$n.leases" --pid-file="$T/dnsmasq$n.pid" \
			--user=root --log-facility="$T/dnsmasq$n.log" --log-queries --log-dhcp &
		EXTRA_PIDS+=("$!")
	done
	for n in 1 2; do
		for i in $(seq 200); do
			s=$(nsenter --net="/run/netns/$NS_SRV" -- ss -Hlun)
			case "$s" in
			*"10.200.$n.1:53 "*) break ;;
			esac
			[ "$i" = 200 ] && fail "dnsmasq $n did not come up: $(cat "$T/dnsmasq$n.log" 2>/dev/null)"
			sleep 0.05
		done
	done
}

# in_named NAME CMD...: CMD in the named network namespace, this mount namespace.
in_named() {
	local n=$1
	shift
	nsenter --net="/run/netns/$n" -- "$@"
}

# nameservers_of NAME: the nameserver lines /etc/resolv.conf shows NAME, one line, sorted.
nameservers_of() {
	in_named "$1" cat /etc/resolv.conf | sed -n 's/^nameserver[[:space:]]*//p' | sort | tr '\n' ' ' |
		sed 's/ $//'
}

# resolved_by NAME: the address getent hosts gives NAME for probe.test.example.
resolved_by() {
	in_named "$1" getent hosts probe.test.example | awk '{ print $1 }'
}

# dhclient_up NAME N: Debian's dhclient (extracted) on NAME's veth0, in the foreground (-d)
# so the test holds its pid; waits until it is bound. Its script writes resolv.conf.
dhclient_up() {
	local ns=$1 n=$2 i
	nsenter --net="/run/netns/$ns" -- dhclient -d -1 -v -sf /sbin/dhclient-script -lf "$T/dhclient$n.leases" \
		-pf "$T/dhclient$n.pid" veth0 >"$T/dhclient$n.log" 2>&1 &
	EXTRA_PIDS+=("$!")
	for i in $(seq 1200); do
		case "$(cat "$T/dhclient$n.log")" in
		*"bound to 10.200.$n."*) return 0 ;;
		esac
		kill -0 "$!" 2>/dev/null || fail "dhclient in $ns exited: $(cat "$T/dhclient$n.log")"
		sleep 0.05
	done
	fail "dhclient in $ns not bound within 60 s: $(cat "$T/dhclient$n.log")"
}
