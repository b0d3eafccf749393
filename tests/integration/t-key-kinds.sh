#!/bin/bash
# -k KIND keys the file on another namespace kind of the caller, or on its uid or gid: two
# real namespaces (or users) of each kind read and write their own files.
. "$(dirname "$0")/lib.sh"

# kind_test KIND UNSHARE_FLAGS...: two processes each in a new KIND namespace (for pid and
# time, the namespace their children get: that is what nsenter enters and cat runs in).
kind_test() {
	local kind=$1 a b ca cb ida idb link self enter
	shift
	enter=--$kind
	[ "$kind" = mnt ] && enter=--mount
	link=$kind
	[ -e "/proc/self/ns/${kind}_for_children" ] && link=${kind}_for_children
	self=$(readlink "/proc/self/ns/$kind" | tr -dc 0-9)
	# Daemon first: a new mount namespace copies the mounts that exist when it is made.
	start_daemon -k "$kind" "$BACKING" "$MNT"
	unshare "$@" sleep 1000000 &
	a=$!
	unshare "$@" sleep 1000000 &
	b=$!
	SLEEPER_PIDS+=("$a" "$b")
	if [ "$link" != "$kind" ]; then
		# pid and time namespaces are entered by children (--fork): use the child.
		for i in $(seq 100); do
			ca=$(pgrep -P "$a") && cb=$(pgrep -P "$b") && break
			sleep 0.02
		done
		a=$ca
		b=$cb
		link=$kind
	fi
	for i in $(seq 100); do
		ida=$(readlink "/proc/$a/ns/$link" 2>/dev/null | tr -dc 0-9)
		idb=$(readlink "/proc/$b/ns/$link" 2>/dev/null | tr -dc 0-9)
		[ -n "$ida" ] && [ -n "$idb" ] && [ "$ida" != "$idb" ] && [ "$ida" != "$self" ] &&
			[ "$idb" != "$self" ] && break
		sleep 0.02
	done
	echo "$kind A" >"$BACKING/$ida.conf"
	echo "$kind B" >"$BACKING/$idb.conf"
	assert_eq "$kind A" "$(nsenter -t "$a" "$enter" cat "$MNT")" "-k $kind, A"
	assert_eq "$kind B" "$(nsenter -t "$b" "$enter" cat "$MNT")" "-k $kind, B"
	nsenter -t "$a" "$enter" sh -c "echo more >>'$MNT'"
	assert_eq "$(printf '%s A\nmore' "$kind")" "$(cat "$BACKING/$ida.conf")" "-k $kind, A's write"
	assert_eq "$kind B" "$(cat "$BACKING/$idb.conf")" "-k $kind, B untouched"
	out=$(cat "$MNT" 2>&1) && fail "-k $kind: the test's own $kind namespace has no file: $out"
	stop_daemon
}

kind_test uts --uts
kind_test ipc --ipc
kind_test cgroup --cgroup
kind_test user --user --map-root-user
kind_test net --net
kind_test mnt --mount
kind_test pid --pid --fork --kill-child
kind_test time --time --fork --kill-child

# uid and gid: two users via setpriv; files named by the number.
echo "uid 1234" >"$BACKING/1234.conf"
echo "uid 2345" >"$BACKING/2345.conf"
chmod 644 "$BACKING"/*.conf
start_daemon -k uid "$BACKING" "$MNT"
assert_eq "uid 1234" "$(setpriv --reuid=1234 --regid=1234 --clear-groups cat "$MNT")" "-k uid 1234"
assert_eq "uid 2345" "$(setpriv --reuid=2345 --regid=1234 --clear-groups cat "$MNT")" "-k uid 2345"
out=$(setpriv --reuid=3456 --regid=3456 --clear-groups cat "$MNT" 2>&1) && fail "uid without a file: $out"
stop_daemon
echo "gid 77" >"$BACKING/77.conf"
start_daemon -k gid "$BACKING" "$MNT"
assert_eq "gid 77" "$(setpriv --reuid=1234 --regid=77 --clear-groups cat "$MNT")" "-k gid 77"
stop_daemon

out=$("$RCFS_BIN" -k bogus "$BACKING" "$MNT" 2>&1) && fail "-k bogus accepted"
assert_contains "invalid --key 'bogus'" "$out" "-k bogus"
pass
