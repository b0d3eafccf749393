#!/bin/bash
# "meson install --destdir" of a fresh build puts exactly the daemon in SBINDIR, the man page
# in MANDIR/man8, the template unit in pkg-config's systemdsystemunitdir (ExecStart naming the
# installed daemon) and the example environment files in DATADIR/doc/resolvconffs/examples,
# and nothing else; -Dsystemdsystemunitdir=DIR moves the unit, =no leaves it out.
. "$(dirname "$0")/lib.sh"

SRC=$(cd "$(dirname "$0")/../.." && pwd)
command -v meson >/dev/null || skip "needs meson"

# installed DESTDIR: every file under DESTDIR, sorted, relative to it.
installed() {
	(cd "$1" && find . -type f -o -type l | sed 's|^\.||' | sort)
}

# expect_set DESTDIR EXPECTED_FILES...: the installed files are exactly these.
expect_set() {
	local dest=$1 want got
	shift
	want=$(printf '%s\n' "$@" | sort)
	got=$(installed "$dest")
	[ "$want" = "$got" ] || fail "installed into $dest:
$got
want:
$want"
}

if pkg-config --exists systemd && pkg-config --exists libsystemd; then
	unitdir=$(pkg-config --variable=systemdsystemunitdir systemd)
else
	[ "${RCFS_MUST_RUN:-0}" = 1 ] && fail "no systemd.pc or libsystemd.pc (packages systemd, libsystemd-dev)"
	unitdir=
fi

# A snapshot of the tree (in a git checkout: tracked and untracked-but-not-ignored files), so
# that edits made while the test runs cannot break the rebuilds between the installs.
mkdir "$T/src"
if git -c safe.directory='*' -C "$SRC" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git -c safe.directory='*' -C "$SRC" ls-files -z --cached --others --exclude-standard |
		tar -C "$SRC" --null -T - --ignore-failed-read -cf - 2>/dev/null | tar -C "$T/src" -xf -
else
	tar -C "$SRC" --exclude='./build*' --exclude='./obj-*' -cf - . | tar -C "$T/src" -xf -
fi

# A distribution's configuration: prefix /usr, unit where systemd.pc says.
b=$T/build
meson setup --buildtype=plain --prefix=/usr "$b" "$T/src" >"$T/setup.log" 2>&1 ||
	fail "meson setup: $(tail -n 20 "$T/setup.log")"
meson install -C "$b" --quiet --destdir "$T/d1" >"$T/install.log" 2>&1 ||
	fail "meson install: $(tail -n 20 "$T/install.log")"
common=(/usr/sbin/resolvconffs /usr/share/man/man8/resolvconffs.8
	/usr/share/doc/resolvconffs/examples/resolv.conf.example
	/usr/share/doc/resolvconffs/examples/hosts.conf.example)
if [ -n "$unitdir" ]; then
	expect_set "$T/d1" "${common[@]}" "$unitdir/resolvconffs@.service"
	grep -qx 'ExecStart=/usr/sbin/resolvconffs $OPTIONS ${BACKING_DIR} ${MOUNTPOINT}' \
		"$T/d1$unitdir/resolvconffs@.service" || fail "unit's ExecStart under prefix /usr"
else
	expect_set "$T/d1" "${common[@]}"
fi
[ -x "$T/d1/usr/sbin/resolvconffs" ] || fail "installed daemon is not executable"
"$T/d1/usr/sbin/resolvconffs" --version >/dev/null || fail "installed daemon does not run"
cmp "$T/src/doc/resolvconffs.8" "$T/d1/usr/share/man/man8/resolvconffs.8" || fail "man page differs"

# No unit at all.
meson configure "$b" -Dsystemdsystemunitdir=no >/dev/null || fail "meson configure =no"
meson install -C "$b" --quiet --destdir "$T/d2" >"$T/install.log" 2>&1 ||
	fail "meson install (no unit): $(tail -n 20 "$T/install.log")"
expect_set "$T/d2" "${common[@]}"

# The default prefix, /usr/local, with the unit where systemd looks for local units.
if [ -n "$unitdir" ]; then
	meson configure "$b" -Dprefix=/usr/local -Dsystemdsystemunitdir=/usr/local/lib/systemd/system \
		>/dev/null || fail "meson configure /usr/local"
	meson install -C "$b" --quiet --destdir "$T/d3" >"$T/install.log" 2>&1 ||
		fail "meson install (/usr/local): $(tail -n 20 "$T/install.log")"
	expect_set "$T/d3" /usr/local/sbin/resolvconffs /usr/local/share/man/man8/resolvconffs.8 \
		/usr/local/share/doc/resolvconffs/examples/resolv.conf.example \
		/usr/local/share/doc/resolvconffs/examples/hosts.conf.example \
		/usr/local/lib/systemd/system/resolvconffs@.service
	grep -q '^ExecStart=/usr/local/sbin/resolvconffs ' \
		"$T/d3/usr/local/lib/systemd/system/resolvconffs@.service" ||
		fail "unit's ExecStart under prefix /usr/local"
fi
pass
