#!/bin/bash
# The kernel gives a dead namespace's inode number (its ID) to the next new namespace. A file
# the daemon created for the dead one is marked with its never-reused NS_GET_ID; the new
# namespace does not inherit it: it gets the template, the old file is moved aside (nothing
# lost) with a log line, and --gc lists it. A file an admin wrote (unmarked) is served as is.
. "$(dirname "$0")/lib.sh"

python3 -c 'import fcntl, os; fcntl.ioctl(os.open("/proc/self/ns/net", os.O_RDONLY), 0x8008b70d, bytes(8))' 2>/dev/null ||
	skip "this kernel has no NS_GET_ID"
printf 'nameserver 192.0.2.1\n' >"$T/template"
start_daemon -d "$T/template" "$BACKING" "$MNT"

# catch_reuse ID: new namespaces until one gets ID (others may take it: give up after 60).
catch_reuse() {
	local want=$1 cand
	for i in $(seq 60); do
		new_ns cand
		if [ "$(ns_id "$cand")" = "$want" ]; then
			REUSED=$cand
			return 0
		fi
		sleep 0.05
	done
	return 1
}

REUSED=
for attempt in $(seq 12); do
	new_ns A
	ID=$(ns_id "$A")
	in_ns "$A" sh -c "echo 'search of the dead namespace' >>'$MNT'"
	[ -f "$BACKING/$ID.conf" ] || fail "no file created for A"
	python3 -c 'import os,sys; os.getxattr(sys.argv[1], "user.resolvconffs.ns")' "$BACKING/$ID.conf" ||
		fail "created file carries no owner mark"
	kill -KILL "$A"
	wait "$A" 2>/dev/null || true
	catch_reuse "$ID" && break
	rm -f "$BACKING/$ID.conf"
done
[ -n "$REUSED" ] || skip "the kernel did not reuse a namespace ID here"

assert_eq "nameserver 192.0.2.1" "$(in_ns "$REUSED" cat "$MNT")" "new namespace with a reused ID"
[ ! -e "$BACKING/$ID.conf" ] || fail "the dead namespace's file is still in place"
aside=$(ls "$BACKING" | grep "^$ID.conf.stale-") || fail "the dead namespace's file was not kept"
assert_contains "search of the dead namespace" "$(cat "$BACKING/$aside")" "kept content"
grep -q "belonged to a net namespace that no longer exists" "$T/daemon.log" || fail "no log line"
in_ns "$REUSED" sh -c "echo 'mine' >'$MNT'"
assert_eq "mine" "$(in_ns "$REUSED" cat "$MNT")" "new namespace writes its own file"
assert_eq "mine" "$(in_ns "$REUSED" cat "$MNT")" "and keeps it (its own mark)"
out=$("$RCFS_BIN" --gc "$BACKING")
assert_contains "$aside" "$out" "--gc lists the moved-aside file"

# An admin's file (no mark) for a namespace is served as is.
new_ns B
echo "written by hand" >"$BACKING/$(ns_id "$B").conf"
assert_eq "written by hand" "$(in_ns "$B" cat "$MNT")" "unmarked file"
stop_daemon
pass
