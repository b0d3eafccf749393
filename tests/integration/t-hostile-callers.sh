#!/bin/bash
# What any process on the host can try: an unprivileged user in its own user + network
# namespace reads its view but can neither write nor create a file, however many namespaces
# it makes; a symlink or FIFO planted in the backing directory is refused with a log line;
# a full disk gives ENOSPC, never a half-made file, and the daemon keeps serving.
. "$(dirname "$0")/lib.sh"

[ "$(cat /proc/sys/user/max_user_namespaces)" -gt 0 ] || skip "user namespaces disabled"
printf 'nameserver 192.0.2.1\n' >"$T/template"
echo "host" >"$BACKING/$HOST_ID.conf"
start_daemon -d "$T/template" "$BACKING" "$MNT"

as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

# 1. Unprivileged user + network namespaces ("root" inside, nobody outside).
for i in $(seq 20); do
	out=$(as_nobody unshare --user --map-root-user --net sh -c "cat '$MNT'") ||
		fail "userns read $i: $out"
	assert_eq "nameserver 192.0.2.1" "$out" "userns $i reads the template"
done
out=$(as_nobody unshare --user --map-root-user --net sh -c "echo evil >'$MNT'" 2>&1) &&
	fail "userns write succeeded"
assert_contains "Permission denied" "$out" "userns write"
out=$(as_nobody unshare --user --map-root-user --net sh -c "echo evil >>'$MNT'" 2>&1) &&
	fail "userns append succeeded"
out=$(as_nobody unshare --user --map-root-user --net truncate -s 0 "$MNT" 2>&1) &&
	fail "userns truncate succeeded"
out=$(as_nobody unshare --user --map-root-user --net chmod 666 "$MNT" 2>&1) &&
	fail "userns chmod succeeded"
out=$(as_nobody unshare --user --map-root-user --net touch "$MNT" 2>&1) &&
	fail "userns touch succeeded"
assert_eq 1 "$(ls -A "$BACKING" | wc -l)" "backing directory entries after userns callers"

# 2. A symlink to a secret and a FIFO planted as namespaces' files are refused.
new_ns A
new_ns B
echo "secret" >"$T/secret"
ln -s "$T/secret" "$BACKING/$(ns_id "$A").conf"
mkfifo "$BACKING/$(ns_id "$B").conf"
out=$(in_ns "$A" cat "$MNT" 2>&1) && fail "symlink followed: $out"
[ "$out" != secret ] || fail "symlink target served"
out=$(in_ns "$A" sh -c "echo x >'$MNT'" 2>&1) && fail "write through a symlink"
assert_eq "secret" "$(cat "$T/secret")" "symlink target after the write"
rc=0
out=$(timeout 5 nsenter -t "$B" -n cat "$MNT" 2>&1) || rc=$?
[ "$rc" != 124 ] || fail "a FIFO hung the daemon"
[ "$rc" != 0 ] || fail "FIFO served: $out"
grep -q "refusing '$BACKING/$(ns_id "$A").conf': a symbolic link" "$T/daemon.log" ||
	fail "no log line for the symlink"
assert_eq "host" "$(cat "$MNT")" "host still served"
stop_daemon

# 3. A full disk: the first write of a namespace served a big template fails with ENOSPC and
# leaves no file; an existing file's write fails with ENOSPC; the daemon keeps serving.
mkdir "$T/small"
mount -t tmpfs -o size=256k,mode=755 rcfs-small "$T/small"
head -c 400000 /dev/zero | tr '\0' 'x' >"$T/big-template"
echo "A small" >"$T/small/$(ns_id "$A").conf"
rm -f "$BACKING/$(ns_id "$A").conf"
start_daemon -d "$T/big-template" "$T/small" "$MNT"
new_ns C
out=$(in_ns "$C" sh -c "echo more >>'$MNT'" 2>&1) && fail "first write on a full disk succeeded"
assert_contains "No space left on device" "$out" "first write on a full disk"
[ ! -e "$T/small/$(ns_id "$C").conf" ] || fail "a half-made copy was left"
[ -z "$(ls -A "$T/small" | grep -v "^$(ns_id "$A").conf$")" ] || fail "temporary files left"
out=$(in_ns "$A" sh -c "head -c 400000 /dev/zero >>'$MNT'" 2>&1) && fail "overfill succeeded"
assert_contains "No space left on device" "$out" "write on a full disk"
assert_eq "A small" "$(in_ns "$A" head -n 1 "$MNT")" "A after ENOSPC"
assert_eq 400000 "$(in_ns "$C" cat "$MNT" | wc -c)" "C still reads the template"
stop_daemon
pass
