#!/bin/bash
# Each network namespace reads its own backing file through the one mounted file, whichever
# way it was entered (unshare, nsenter -t, ip netns + nsenter --net); without -d a namespace
# with no file gets ENOENT for stat, read and write, and nothing is created for it.
. "$(dirname "$0")/lib.sh"

new_ns A
new_ns B
new_ns C
private_run
NAMED=rcfs-t-$$-named
new_named_ns "$NAMED"
NAMED_ID=$(stat -L -c %i "/run/netns/$NAMED")

echo "host view" >"$BACKING/$HOST_ID.conf"
echo "view of A" >"$BACKING/$(ns_id "$A").conf"
echo "view of B, longer" >"$BACKING/$(ns_id "$B").conf"
echo "named view" >"$BACKING/$NAMED_ID.conf"

start_daemon "$BACKING" "$MNT"

for round in 1 2 3; do
	assert_eq "host view" "$(cat "$MNT")" "host, round $round"
	assert_eq "view of A" "$(in_ns "$A" cat "$MNT")" "A, round $round"
	assert_eq "view of B, longer" "$(in_ns "$B" cat "$MNT")" "B, round $round"
	assert_eq "named view" "$(nsenter --net="/run/netns/$NAMED" cat "$MNT")" "named, round $round"
done

# C has no file: ENOENT for everything, nothing created.
out=$(in_ns "$C" cat "$MNT" 2>&1) && fail "C could read: $out"
assert_contains "No such file or directory" "$out" "C read"
out=$(in_ns "$C" stat "$MNT" 2>&1) && fail "C could stat: $out"
assert_contains "No such file or directory" "$out" "C stat"
out=$(in_ns "$C" sh -c "echo x >'$MNT'" 2>&1) && fail "C could write: $out"
[ ! -e "$BACKING/$(ns_id "$C").conf" ] || fail "a file was created for C"
assert_eq 4 "$(ls "$BACKING" | wc -l)" "backing directory entries"

# ip netns exec keeps working on a host where the daemon runs (it binds nothing here).
assert_eq "named view" "$(ip netns exec "$NAMED" cat "$MNT")" "ip netns exec"

stop_daemon
assert_eq "original file under the mount" "$(cat "$MNT")" "after unmount"
pass
