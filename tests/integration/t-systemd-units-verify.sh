#!/bin/bash
# The template unit passes "systemd-analyze verify" as resolvconffs@resolv and @hosts (with
# ExecStart pointing at the binary under test, as meson's configure_file() would), says what
# the packaging promises (Type=notify, Restart=on-failure, before nss-lookup.target, the
# environment file, mount namespaces allowed for fusermount3, an fd limit above 1024) and has
# no directive that would give the daemon a mount namespace of its own, where its mount would
# be invisible to the host.
. "$(dirname "$0")/lib.sh"

SRC=$(cd "$(dirname "$0")/../.." && pwd)
UNIT_IN=$SRC/dist/systemd/resolvconffs@.service.in
command -v systemd-analyze >/dev/null || skip "needs systemd-analyze (package systemd)"

mkdir -p "$T/units" "$T/etc" "$T/man/man8"
sed -e "s|@sbindir@|$(dirname "$RCFS_BIN")|" \
	-e "s|^EnvironmentFile=/etc/resolvconffs/|EnvironmentFile=$T/etc/|" \
	"$UNIT_IN" >"$T/units/resolvconffs@.service"
cp "$SRC/dist/resolvconffs/resolv.conf.example" "$T/etc/resolv.conf"
cp "$SRC/dist/resolvconffs/hosts.conf.example" "$T/etc/hosts.conf"
# Documentation=man:resolvconffs(8): verify runs man(1), which finds the page here.
cp "$SRC/doc/resolvconffs.8" "$T/man/man8/"
UNIT=$T/units/resolvconffs@.service

if grep -n '@[A-Za-z_]*@' "$UNIT" | grep -v '^[0-9]*:#' | grep -v 'resolvconffs@' >&2; then
	fail "placeholder left after substituting @sbindir@"
fi

# verify_unit UNIT_FILE_DIR INSTANCE: systemd-analyze verify; prints its output, returns its status.
verify_unit() {
	MANPATH=$T/man systemd-analyze verify "$1/$2" 2>&1
}

for instance in resolv hosts; do
	rc=0
	out=$(verify_unit "$T/units" "resolvconffs@$instance.service") || rc=$?
	[ "$rc" = 0 ] || fail "verify resolvconffs@$instance.service: exit $rc: $out"
	[ -z "$out" ] || fail "verify resolvconffs@$instance.service warns: $out"
done

# The check has teeth: a unit whose ExecStart names no executable fails it.
mkdir "$T/broken"
sed "s|^ExecStart=[^ ]*|ExecStart=$T/no-such-binary|" "$UNIT" >"$T/broken/resolvconffs@.service"
if out=$(verify_unit "$T/broken" resolvconffs@resolv.service); then
	fail "verify accepted an ExecStart that does not exist"
fi
assert_contains "no-such-binary" "$out" "verify's complaint"

# Directives, as systemd reads them: the unit's lines without comments and continuations.
directives=$(grep -v '^#' "$UNIT_IN")
has() {
	grep -qxF -- "$1" <<<"$directives" || fail "unit lacks the line '$1'"
}
has "Type=notify"
has "Restart=on-failure"
has "Before=nss-lookup.target"
has "Wants=nss-lookup.target"
has "After=local-fs.target"
has "EnvironmentFile=/etc/resolvconffs/%i.conf"
has 'ExecStart=@sbindir@/resolvconffs $OPTIONS ${BACKING_DIR} ${MOUNTPOINT}'
has "WantedBy=multi-user.target"
# setns() into callers' network namespaces for SO_NETNS_COOKIE (6.1); nothing else.
has "RestrictNamespaces=net"
# Each open holds a backing fd in the daemon: not systemd's default soft limit of 1024.
has "LimitNOFILE=65536"
for cap in CAP_SYS_ADMIN CAP_SYS_PTRACE CAP_DAC_READ_SEARCH; do
	grep -q "^CapabilityBoundingSet=.*$cap" <<<"$directives" ||
		fail "CapabilityBoundingSet lacks $cap"
done

# Each of these makes systemd set up a mount namespace for the service (or change the
# propagation of the host's): the FUSE mount would stay inside it.
for d in ProtectSystem ProtectHome PrivateTmp PrivateDevices PrivateMounts PrivateNetwork \
	PrivateUsers PrivateIPC ProtectKernelTunables ProtectKernelModules ProtectKernelLogs \
	ProtectControlGroups ProtectProc ProcSubset ReadOnlyPaths ReadWritePaths InaccessiblePaths \
	ExecPaths NoExecPaths TemporaryFileSystem BindPaths BindReadOnlyPaths MountFlags \
	RootDirectory RootImage DynamicUser User; do
	if grep -q "^$d=" <<<"$directives"; then
		fail "$d= would hide the mount from the host (mount namespace) or drop root"
	fi
done

# The example environment files set what ExecStart needs, to absolute paths.
for f in "$T/etc/resolv.conf" "$T/etc/hosts.conf"; do
	for var in MOUNTPOINT BACKING_DIR; do
		grep -q "^$var=/" "$f" || fail "$(basename "$f") example: no absolute $var="
	done
	if grep -v -e '^#' -e '^$' -e '^[A-Z_]*=' "$f" >&2; then
		fail "$(basename "$f") example: lines that are not VAR=value or comments"
	fi
done
pass
