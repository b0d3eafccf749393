#!/bin/bash
# The request's pid is a thread id: a thread that calls setns() sees its new namespace's file
# (contents, size and inode) while the other threads keep theirs, and an fd it opened before
# setns() keeps reading what it opened. Equal sizes and mtimes, so a page-cache leak would show.
# (fstat(2) on that fd reports the thread's current namespace's file: the kernel sends
# GETATTR without the file handle for fstat, so the daemon cannot tell it from stat.)
. "$(dirname "$0")/lib.sh"

new_ns B
FH=$BACKING/$HOST_ID.conf
FB=$BACKING/$(ns_id "$B").conf
echo "host-view" >"$FH"
echo "bbbb-view" >"$FB"
touch -d "2020-01-01" "$FH" "$FB"

start_daemon "$BACKING" "$MNT"
out=$("$RCFS_HELPERS/setns-read" "$MNT" "/proc/$B/ns/net") || fail "setns-read: $out"
echo "$out"
ih=$(stat -c %i "$FH")
ib=$(stat -c %i "$FB")
[ "$ih" != "$ib" ] || fail "backing files share an inode number"
assert_eq "main host-view size=10 ino=$ih" "$(sed -n 1p <<<"$out")" "main thread"
assert_eq "thread bbbb-view size=10 ino=$ib" "$(sed -n 2p <<<"$out")" "thread after setns"
assert_eq "pinned host-view" "$(sed -n 3p <<<"$out" | cut -d' ' -f1-2)" "fd opened before setns"
assert_eq "main-again host-view size=10 ino=$ih" "$(sed -n 4p <<<"$out")" "main thread again"
stop_daemon
pass
