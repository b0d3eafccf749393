#!/bin/bash
# Bad input: one line on stderr naming the path or option and the reason, a non-zero exit,
# and nothing mounted.
. "$(dirname "$0")/lib.sh"

mounts_before=$(wc -l </proc/self/mountinfo)

# expect_refused EXIT WORD ARGS...: exit status EXIT, one line containing WORD, no mount.
expect_refused() {
	local want_rc=$1 word=$2 rc=0 out lines
	shift 2
	out=$("$RCFS_BIN" "$@" 2>&1 >/dev/null) || rc=$?
	[ "$rc" = "$want_rc" ] || fail "'$*': exit $rc, want $want_rc ($out)"
	lines=$(printf '%s\n' "$out" | wc -l)
	[ "$lines" = 1 ] || fail "'$*': $lines lines of output, want 1: $out"
	assert_contains "resolvconffs: " "$out" "'$*' message prefix"
	assert_contains "$word" "$out" "'$*' message"
	[ "$(wc -l </proc/self/mountinfo)" = "$mounts_before" ] || fail "'$*' left a mount"
	is_mounted "$MNT" && fail "'$*' mounted"
	return 0
}

mkdir -m 755 "$T/empty-procfs" "$T/dir"
mkdir -m 1777 "$T/world-writable"
mkdir -m 775 "$T/group-writable"
mkdir -m 755 "$T/users-dir"
chown 65534 "$T/users-dir"
echo x >"$T/file"

expect_refused 2 "missing argument"
expect_refused 2 "MOUNTPOINT" "$BACKING"
expect_refused 2 "'/x/y'" "$BACKING" "$MNT" /x/y
expect_refused 2 "'-q'" -q "$BACKING" "$MNT"
expect_refused 2 "'--nope'" --nope "$BACKING" "$MNT"
expect_refused 2 "needs an argument" "$BACKING" "$MNT" -d
expect_refused 2 "--extension" -p a/b "$BACKING" "$MNT"
expect_refused 1 "backing directory '$T/missing': No such file or directory" "$T/missing" "$MNT"
expect_refused 1 "backing directory '$T/file': Not a directory" "$T/file" "$MNT"
expect_refused 1 "writable by its others (mode 1777)" "$T/world-writable" "$MNT"
expect_refused 1 "backing directory '$T/group-writable': writable by its group (mode 0775)" \
	"$T/group-writable" "$MNT"
expect_refused 1 "backing directory '$T/users-dir': owned by uid 65534, not root" \
	"$T/users-dir" "$MNT"
expect_refused 2 "-o default_permissions: refused" -o default_permissions "$BACKING" "$MNT"
expect_refused 1 "mount point '$T/nomnt': No such file or directory" "$BACKING" "$T/nomnt"
expect_refused 1 "'$T/dir': not a regular file" "$BACKING" "$T/dir"
echo y >"$BACKING/inside.conf"
expect_refused 1 "inside the backing directory" "$BACKING" "$BACKING/inside.conf"
rm "$BACKING/inside.conf"
expect_refused 1 "default file '$T/nodefault': No such file" -d "$T/nodefault" "$BACKING" "$MNT"
expect_refused 1 "default file '$T/dir': not a regular file" -d "$T/dir" "$BACKING" "$MNT"
expect_refused 1 "procfs '$T/empty-procfs'" -P "$T/empty-procfs" "$BACKING" "$MNT"
expect_refused 1 "procfs '$T/nope'" -P "$T/nope" "$BACKING" "$MNT"
expect_refused 2 "invalid -o options 'no_such_option'" -o no_such_option "$BACKING" "$MNT"
expect_refused 2 "invalid -o options 'ro,bogus=1'" -o ro -o bogus=1 "$BACKING" "$MNT"

# A template that cannot be read (as an unprivileged user would be refused): mode 000 does
# not stop root, so use a directory's child we cannot reach instead: a FIFO is not regular.
mkfifo "$T/fifo"
expect_refused 1 "default file '$T/fifo': not a regular file" -d "$T/fifo" "$BACKING" "$MNT"

# --help and --version succeed and mount nothing.
out=$("$RCFS_BIN" --help) || fail "--help failed"
assert_contains "Usage: resolvconffs [OPTIONS] BACKING_DIR MOUNTPOINT" "$out" "--help"
assert_contains "--default-file" "$out" "--help"
out=$("$RCFS_BIN" -V) || fail "-V failed"
assert_contains "resolvconffs " "$out" "-V"

pass
