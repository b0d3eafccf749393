#!/bin/bash
# One user holding many opens of the file cannot take it away from everyone else. The daemon
# runs with RLIMIT_NOFILE 1024 (systemd's default soft limit): uid 1000 holds 2,000 read-only
# opens (they share one backing fd: all succeed, the daemon's fds stay few), then as many
# write opens as it can get (its share runs out with EMFILE, for it alone); meanwhile root and
# uid 1001 still read, and root still writes. The same in the directory mode, where every
# open file and every open directory holds a backing fd: uid 1000 also holds 2,000
# opendir()s of the mount, refused beyond its share, while root still lists it.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
as_uid() {
	local u=$1
	shift
	setpriv --reuid="$u" --regid="$u" --clear-groups -- "$@"
}
# The daemon's fds but O_PATH ones: the directory mode's nodes hold one each for as long as
# the kernel knows them, and the kernel may forget one at any time.
daemon_fds() {
	local f n=0 flags
	for f in /proc/"$DAEMON_PID"/fdinfo/*; do
		flags=$(awk '/^flags:/ { print $2 }' "$f" 2>/dev/null) || continue
		[ -n "$flags" ] && (((8#$flags & 8#10000000) == 0)) && n=$((n + 1))
	done
	echo "$n"
}


# holder MODE COUNT READY_FILE: opens COUNT times, writes how many it got, then waits.
holder() { # prlimit and setpriv exec: $! is the holder's pid; its own fds must not run out
	prlimit --nofile=8192:8192 -- setpriv --reuid=1000 --regid=1000 --clear-groups -- "$PY" -c '
import os, sys, time
mode, count, ready = sys.argv[1], int(sys.argv[2]), sys.argv[3]
flags = {"read": os.O_RDONLY, "write": os.O_WRONLY, "dir": os.O_RDONLY | os.O_DIRECTORY}[mode]
fds, refused = [], {}
for i in range(count):
    try:
        fds.append(os.open(os.path.dirname(sys.argv[4]) if mode == "dir" else sys.argv[4], flags))
    except OSError as e:
        refused[e.strerror] = refused.get(e.strerror, 0) + 1
with open(ready, "w") as f:
    f.write("%d %s\n" % (len(fds), sorted(refused.items())))
time.sleep(1000)
' "$1" "$2" "$3" "$FILE" &
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

# scenario file|dir: the daemon in that mode with RLIMIT_NOFILE 1024, and uid 1000 holding
# opens of FILE, the host's, which uid 1000 owns.
scenario() {
	local mode=$1 got rest i opts=()
	if [ "$mode" = dir ]; then
		dir_mode_setup
		mkdir -m 755 "$BACKING/$HOST_ID"
		HOST_FILE=$BACKING/$HOST_ID/resolv.conf FILE=$MNT/resolv.conf opts=(--dir)
	else
		HOST_FILE=$BACKING/$HOST_ID.conf FILE=$MNT
	fi
	echo "nameserver 192.0.2.1" >"$HOST_FILE"
	chown 1000:1000 "$HOST_FILE"
	chmod 0644 "$HOST_FILE"
	RCFS_BIN=prlimit start_daemon --nofile=1024:1024 -- "$daemon_bin" "${opts[@]}" "$BACKING" "$MNT"
	fds_before=$(daemon_fds)

	rm -rf "$T/ready"
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

	if [ "$mode" = dir ]; then
		holder dir 2000 "$T/ready/dir"
		wait_file "$T/ready/dir"
		read -r got rest <"$T/ready/dir"
		assert_contains "Too many open files" "$rest" "uid 1000's opendirs beyond its share"
		[ "$got" -lt 1024 ] || fail "uid 1000 got $got opendirs"
		ls "$MNT" >/dev/null || fail "root cannot list the mount while uid 1000 holds opendirs"
	fi

	# Everyone else is still served.
	assert_eq "nameserver 192.0.2.1" "$(cat "$FILE")" "root reads while uid 1000 holds its opens"
	assert_eq "nameserver 192.0.2.1" "$(as_uid 1001 cat "$FILE")" "uid 1001 reads"
	for i in $(seq 50); do
		echo "nameserver 192.0.2.1" >"$FILE" || fail "root's write $i refused"
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
}

daemon_bin=$RCFS_BIN
scenario file
scenario dir
pass
