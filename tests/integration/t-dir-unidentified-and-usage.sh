#!/bin/bash
# --dir: a caller the daemon cannot identify (pid 0: outside its pid namespace) sees the
# directory that was under the mount, read-only, never a namespace's; a directory mount
# point without --dir and a file with --dir are refused with nothing mounted.
. "$(dirname "$0")/lib.sh"
dir_mode_setup

echo "under the mount" >"$MNT/resolv.conf"
mkdir -m 755 "$BACKING/$HOST_ID"
echo "host's own, must not be served" >"$BACKING/$HOST_ID/resolv.conf"

out=$("$RCFS_BIN" "$BACKING" "$MNT" 2>&1) && fail "a directory mount point without --dir"
is_mounted "$MNT" && fail "mounted without --dir"
out=$("$RCFS_BIN" --dir "$BACKING" "$T/target.conf" 2>&1) && fail "--dir over a file"
assert_contains "directory" "$out" "--dir over a file"
is_mounted "$T/target.conf" && fail "mounted a file with --dir"

: >"$T/daemon.log"
unshare --pid --fork -- "$RCFS_BIN" --dir "$BACKING" "$MNT" 2>>"$T/daemon.log" &
DAEMON_PID=$!
for i in $(seq 100); do
	grep -q "serving '" "$T/daemon.log" && break
	sleep 0.05
done
is_mounted "$MNT" || fail "not mounted"

assert_eq "under the mount" "$(cat "$MNT/resolv.conf")" "pid-0 read"
assert_eq 555 "$(stat -c %a "$MNT")" "pid-0 root mode"
assert_eq 444 "$(stat -c %a "$MNT/resolv.conf")" "pid-0 file mode"
sh -c "echo x >'$MNT/resolv.conf'" 2>/dev/null && fail "pid-0 write"
sh -c "echo x >'$MNT/new'" 2>/dev/null && fail "pid-0 create"
mkdir "$MNT/d" 2>/dev/null && fail "pid-0 mkdir"
rm -f "$MNT/resolv.conf" 2>/dev/null || true
mv "$MNT/resolv.conf" "$MNT/x" 2>/dev/null && fail "pid-0 rename"
assert_eq "resolv.conf" "$(ls "$MNT")" "pid-0 listing"
assert_eq "host's own, must not be served" "$(cat "$BACKING/$HOST_ID/resolv.conf")" "host's untouched"

child=$(pgrep -P "$DAEMON_PID" | head -n 1)
kill -TERM "$child"
wait "$DAEMON_PID" || fail "daemon exit status $?"
DAEMON_PID=
check_daemon_log
is_mounted "$MNT" && fail "still mounted"
assert_eq "under the mount" "$(cat "$MNT/resolv.conf")" "original after unmount"
pass
