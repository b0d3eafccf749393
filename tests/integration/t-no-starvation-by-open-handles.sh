#!/bin/bash
# One user holding many opens of the file cannot take it away from everyone else. The daemon
# runs with RLIMIT_NOFILE 1024 (systemd's default soft limit): uid 1000 holds 2,000 read-only
# opens (they share one backing fd: all succeed, the daemon's fds stay few), then as many
# write opens as it can get (its share runs out with EMFILE, for it alone); meanwhile root and
# uid 1001 still read, and root still writes.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
as_uid() {
	local u=$1
	shift
	setpriv --reuid="$u" --regid="$u" --clear-groups -- "$@"
}
daemon_fds() { ls "/proc/$DAEMON_PID/fd" | wc -l; }

HOST_FILE=$BACKING/$HOST_ID.conf
echo "nameserver 192.0.2.1" >"$HOST_FILE"
chown 1000:1000 "$HOST_FILE"
chmod 0644 "$HOST_FILE"
daemon_bin=$RCFS_BIN
RCFS_BIN=prlimit start_daemon --nofile=1024:1024 -- "$daemon_bin" "$BACKING" "$MNT"
RCFS_BIN=$daemon_bin
fds_before=$(daemon_fds)

# holder MODE COUNT READY_FILE: opens COUNT times, writes how many it got, then waits.
holder() { # prlimit and setpriv exec: $! is the holder's pid; its own fds must not run out
	prlimit --nofile=8192:8192 -- setpriv --reuid=1000 --regid=1000 --clear-groups -- "$PY" -c '
import os, sys, time
mode, count, ready = sys.argv[1], int(sys.argv[2]), sys.argv[3]
flags = os.O_RDONLY if mode == "read" else os.O_WRONLY
fds, refused = [], {}
for i in range(count):
    try:
        fds.append(os.open(sys.argv[4], flags))
    except OSError as e:
        refused[e.strerror] = refused.get(e.strerror, 0) + 1
with open(ready, "w") as f:
    f.write("%d %s\n" % (len(fds), sorted(refused.items())))
time.sleep(1000)
' "$1" "$2" "$3" "$MNT" &
	EXTRA_PIDS+=($!)
}
wait_file() {
	local i
	for i in $(seq 600); do
		[ -s "$1" ] && return 0
		kill -0 "${EXTRA_PIDS[-1]}" 2>/dev/null || fail "the holder for $1 died"
		sleep 0.05
	done
	fail "$1 did not appear"
}

mkdir -m 1777 "$T/ready"
holder read 2000 "$T/ready/read"
wait_file "$T/ready/read"
assert_eq "2000 []" "$(cat "$T/ready/read")" "uid 1000's read-only opens"
fds_held=$(daemon_fds)
[ "$fds_held" -le $((fds_before + 2)) ] ||
	fail "2,000 read-only opens cost the daemon $((fds_held - fds_before)) fds"

holder write 2000 "$T/ready/write"
wait_file "$T/ready/write"
read -r got rest <"$T/ready/write"
assert_contains "Too many open files" "$rest" "uid 1000's write opens beyond its share"
[ "$got" -ge 16 ] && [ "$got" -lt 1024 ] || fail "uid 1000 got $got write opens"
grep -q "uid 1000 holds .* its limit; further opens get EMFILE" "$T/daemon.log" ||
	fail "no log line for uid 1000's limit"

# Everyone else is still served.
assert_eq "nameserver 192.0.2.1" "$(cat "$MNT")" "root reads while uid 1000 holds its opens"
assert_eq "nameserver 192.0.2.1" "$(as_uid 1001 cat "$MNT")" "uid 1001 reads"
for i in $(seq 50); do
	echo "nameserver 192.0.2.1" >"$MNT" || fail "root's write $i refused"
done

# The holders go: every handle is released (RELEASE is asynchronous: poll).
kill "${EXTRA_PIDS[@]}"
wait "${EXTRA_PIDS[@]}" 2>/dev/null || true
EXTRA_PIDS=()
for i in $(seq 200); do
	[ "$(daemon_fds)" -le "$fds_before" ] && break
	sleep 0.05
done
assert_eq "$fds_before" "$(daemon_fds)" "daemon fds after the holders left"
stop_daemon
pass
