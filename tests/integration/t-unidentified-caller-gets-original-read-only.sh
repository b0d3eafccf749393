#!/bin/bash
# A caller the daemon cannot identify (pid 0: a process outside the daemon's pid namespace;
# or a pid whose PROCFS entry is no namespace link) reads the file that was under the mount,
# read-only; writes get EACCES; never another namespace's file.
. "$(dirname "$0")/lib.sh"

echo "host file, must not be served" >"$BACKING/$HOST_ID.conf"
echo "template, must not be served" >"$T/template"

# The daemon in a child pid namespace: everyone in ours arrives with pid 0.
: >"$T/daemon.log"
unshare --pid --fork -- "$RCFS_BIN" -d "$T/template" "$BACKING" "$MNT" 2>>"$T/daemon.log" &
DAEMON_PID=$!
for i in $(seq 100); do
	grep -q "serving '" "$T/daemon.log" && break
	sleep 0.05
done
is_mounted "$MNT" || fail "not mounted"

assert_eq "original file under the mount" "$(cat "$MNT")" "pid-0 read"
assert_eq 444 "$(stat -c %a "$MNT")" "pid-0 mode"
assert_eq "$(stat -c %s /dev/null)" 0 "sanity"
out=$(sh -c "echo x >'$MNT'" 2>&1) && fail "pid-0 write succeeded"
assert_contains "Permission denied" "$out" "pid-0 write"
out=$(sh -c "echo x >>'$MNT'" 2>&1) && fail "pid-0 append succeeded"
out=$(truncate -s 0 "$MNT" 2>&1) && fail "pid-0 truncate succeeded"
out=$(chmod 600 "$MNT" 2>&1) && fail "pid-0 chmod succeeded"
assert_eq "host file, must not be served" "$(cat "$BACKING/$HOST_ID.conf")" "host file untouched"
assert_eq 1 "$(ls -A "$BACKING" | wc -l)" "files created"
grep -q "namespace unknown" "$T/daemon.log" || fail "no log line for the unidentified caller"
[ "$(grep -c "namespace unknown" "$T/daemon.log")" -le 2 ] || fail "log line not rate-limited"

child=$(pgrep -P "$DAEMON_PID" | head -n 1)
kill -TERM "$child"
wait "$DAEMON_PID" || fail "daemon exit status $?"
DAEMON_PID=
check_daemon_log
is_mounted "$MNT" && fail "still mounted"

# A PROCFS whose entry for the caller is not a namespace link: unidentified as well.
mkdir -p "$T/fakeproc/self/ns"
ln -s "net:[1]" "$T/fakeproc/self/ns/net"
start_daemon -P "$T/fakeproc" -d "$T/template" "$BACKING" "$MNT"
assert_eq "original file under the mount" \
	"$(sh -c "mkdir -p '$T/fakeproc/'\$\$/ns && ln -s garbage '$T/fakeproc/'\$\$/ns/net && exec cat '$MNT'")" \
	"caller with a garbage link"
assert_eq "original file under the mount" "$(cat "$MNT")" "caller with no entry"
stop_daemon
pass
