#!/bin/bash
# The unit's ExecStopPost= cleanup, run as systemd would run it (the command from the unit
# file, "$$" unescaped, MOUNTPOINT from the environment file): it detaches a resolvconffs mount
# whose daemon was killed (ENOTCONN), and touches nothing else: not a live daemon's mount (a
# unit that failed to start must not take down one started by hand), not another file
# system's mount, not a file with nothing mounted on it.
. "$(dirname "$0")/lib.sh"

SRC=$(cd "$(dirname "$0")/../.." && pwd)
UNIT_IN=$SRC/dist/systemd/resolvconffs@.service.in

# The ExecStopPost= value with its continuation lines joined, as systemd reads it.
line=$(sed -e ':a' -e '/\\$/{N;s/\\\n/ /;ba' -e '}' "$UNIT_IN" | grep '^ExecStopPost=')
prefix="ExecStopPost=-/bin/sh -c '"
case "$line" in
"$prefix"*"'") ;;
*) fail "ExecStopPost= is not \"-/bin/sh -c '...'\": $line" ;;
esac
script=${line#"$prefix"}
script=${script%"'"}
script=${script//\$\$/\$}
case "$script" in
*"'"* | *%*) fail "quote or specifier inside the ExecStopPost= script: $script" ;;
esac

# stop_post: runs the cleanup for $MNT as systemd would; prints its output; wants exit 0.
stop_post() {
	local out rc=0
	out=$(MOUNTPOINT=$MNT /bin/sh -c "$script" 2>&1) || rc=$?
	[ "$rc" = 0 ] || fail "ExecStopPost exited $rc: $out"
	printf '%s' "$out"
}

echo "host" >"$BACKING/$HOST_ID.conf"

# Nothing mounted: nothing happens.
assert_eq "" "$(stop_post)" "output with nothing mounted"
assert_eq "original file under the mount" "$(cat "$MNT")" "file with nothing mounted"

# A live daemon (a failed start of the unit would run ExecStopPost next to it): untouched.
start_daemon "$BACKING" "$MNT"
assert_eq "" "$(stop_post)" "output with a live mount"
is_mounted "$MNT" || fail "live mount detached"
assert_eq "host" "$(cat "$MNT")" "read through the live mount"
# ...also when this namespace's caller gets ENOENT from it (no file, no -d).
rm "$BACKING/$HOST_ID.conf"
[ -e "$MNT" ] && fail "expected ENOENT through the live mount"
assert_eq "" "$(stop_post)" "output with a live mount answering ENOENT"
is_mounted "$MNT" || fail "live mount answering ENOENT detached"
stop_daemon
echo "host" >"$BACKING/$HOST_ID.conf"

# Killed without auto-unmount: a dead mount, ENOTCONN for every reader; the cleanup detaches it.
start_daemon --no-auto-unmount "$BACKING" "$MNT"
kill_daemon
out=$(cat "$MNT" 2>&1) && fail "expected a dead mount after kill -9, read: $out"
assert_contains "not connected" "$out" "read from the dead mount"
assert_contains "detaching the dead resolvconffs mount" "$(stop_post)" "output for a dead mount"
is_mounted "$MNT" && fail "dead mount still there after ExecStopPost"
assert_eq "original file under the mount" "$(cat "$MNT")" "file after the dead mount was detached"

# Some other file system's mount on the file: untouched.
echo "bind-mounted" >"$T/other.conf"
mount --bind "$T/other.conf" "$MNT"
assert_eq "" "$(stop_post)" "output with a bind mount"
assert_eq "bind-mounted" "$(cat "$MNT")" "bind mount after ExecStopPost"
umount "$MNT"
pass
