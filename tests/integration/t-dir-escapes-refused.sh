#!/bin/bash
# --dir isolation: a hard link or rename from a directory of another namespace's tree (a
# cwd kept across setns) into the caller's own is EXDEV; a namespace directory that is a
# symlink planted in BACKING_DIR is refused, never followed to another namespace's tree; a
# device node is neither made (mknod) nor served; ".." at the root stays the caller's view.
. "$(dirname "$0")/lib.sh"
dir_mode_setup

start_daemon --dir "$BACKING" "$MNT"
new_ns A
new_ns B
IDA=$(ns_id "$A")
IDB=$(ns_id "$B")

# No template: an empty directory until the first write makes BACKING/ID.
assert_eq "" "$(in_ns "$A" ls -A "$MNT")" "A's empty directory"
check "A mkdir" in_ns "$A" mkdir "$MNT/sub"
check "A writes" in_ns "$A" sh -c "echo 'A secret' >'$MNT/sub/file'"
check "B writes" in_ns "$B" sh -c "echo 'B own' >'$MNT/own'"
[ -d "$BACKING/$IDA/sub" ] || fail "no $BACKING/$IDA/sub"

# A process whose cwd is in A's tree moves to B's namespace, then links and renames from
# there into what it now sees at the mount root (B's tree).
py=/usr/bin/python3
out=$(in_ns "$A" sh -c "cd '$MNT/sub' && nsenter --target $B --net -- $py -c '
import os, errno
for what, fn in ((\"link\", lambda: os.link(\"file\", \"$MNT/stolen\")),
                 (\"rename\", lambda: os.rename(\"file\", \"$MNT/stolen\"))):
    try:
        fn()
        print(what, \"succeeded\")
    except OSError as e:
        print(what, errno.errorcode[e.errno])
'" 2>&1)
assert_eq "link EXDEV rename EXDEV" "$(echo $out)" "cross-tree link and rename"
in_ns "$B" test -e "$MNT/stolen" && fail "A's file reached B's tree"
assert_eq "A secret" "$(in_ns "$A" cat "$MNT/sub/file")" "A's file in place"

# ".." at the root is the mount's parent for everyone, and below it the caller's own root.
assert_eq "A secret" "$(in_ns "$A" cat "$MNT/sub/../sub/file")" ".. below the root"
in_ns "$B" test -e "$MNT/sub/../sub/file" && fail "B reached A's sub through .."

# A namespace directory that is a symlink to another namespace's: refused, not followed.
new_ns C
IDC=$(ns_id "$C")
ln -s "$IDA" "$BACKING/$IDC"
out=$(in_ns "$C" cat "$MNT/sub/file" 2>&1) && fail "C read A's file through a planted symlink: $out"
in_ns "$C" ls "$MNT" >/dev/null 2>&1 && fail "C listed through a planted symlink"
rm "$BACKING/$IDC"

# Symlinks inside a tree are the caller's to follow, never the daemon's: a symlink to an
# absolute path resolves in the caller's view, a relative one upwards stops at the mount.
ln -s "../$IDB/own" "$BACKING/$IDA/up"
out=$(in_ns "$A" cat "$MNT/up" 2>&1) && fail "A read B's file through ../: $out"

# Device nodes: no mknod, and a planted one is not served.
out=$(in_ns "$A" mknod "$MNT/null" c 1 3 2>&1) && fail "mknod succeeded"
mknod "$BACKING/$IDA/zero" c 1 5
out=$(in_ns "$A" head -c 1 "$MNT/zero" 2>&1) && fail "a device node was served"
out=$(in_ns "$A" mkfifo "$MNT/fifo" 2>&1) && fail "mkfifo succeeded"

stop_daemon
pass
