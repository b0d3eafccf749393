#!/bin/bash
# -P names where pids are looked up (a second procfs mount, or any tree of ns links);
# -p sets the extension (empty: none); -o passes mount options through to the kernel.
. "$(dirname "$0")/lib.sh"

new_ns A
ID_A=$(ns_id "$A")

# -P with a tree of links, as the original reads them: the caller's pid → "net:[777]".
mkdir -p "$T/fakeproc/self/ns"
ln -s "net:[1]" "$T/fakeproc/self/ns/net"
echo "seven" >"$BACKING/777.txt"
start_daemon -P "$T/fakeproc" -p txt "$BACKING" "$MNT"
assert_eq "seven" \
	"$(sh -c "mkdir -p '$T/fakeproc/'\$\$/ns && ln -s 'net:[777]' '$T/fakeproc/'\$\$/ns/net && exec cat '$MNT'")" \
	"pid mapped through -P"
stop_daemon

# -P on a second procfs mount behaves as /proc.
mkdir "$T/proc2"
mount -t proc proc "$T/proc2"
echo "A via proc2" >"$BACKING/$ID_A"
start_daemon -P "$T/proc2" -p "" "$BACKING" "$MNT"
assert_eq "A via proc2" "$(in_ns "$A" cat "$MNT")" "-P second procfs, -p ''"
stop_daemon
umount "$T/proc2"

# -o: ro reaches the kernel (writes fail with EROFS), max_read splits reads.
echo "A conf" >"$BACKING/$ID_A.conf"
start_daemon -o ro,max_read=4096 "$BACKING" "$MNT"
grep -E " $MNT .* ro[, ]" /proc/self/mountinfo >/dev/null || fail "ro not in mountinfo"
grep " - fuse.resolvconffs resolvconffs " /proc/self/mountinfo >/dev/null ||
	fail "fs type/source not fuse.resolvconffs/resolvconffs"
out=$(in_ns "$A" sh -c "echo x >>'$MNT'" 2>&1) && fail "write on an ro mount"
assert_contains "Read-only file system" "$out" "-o ro"
head -c 300000 /dev/urandom >"$BACKING/$ID_A.conf"
in_ns "$A" cmp "$MNT" "$BACKING/$ID_A.conf" || fail "read with max_read=4096 differs"
stop_daemon
pass
