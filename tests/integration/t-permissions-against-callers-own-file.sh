#!/bin/bash
# Every access decision is made against the caller's own file, never against the one inode's
# attributes, which belong to whichever namespace was stat'ed last. The host's file is root's
# 0644 and namespace B's file is uid 1000's: while B stats its file in a loop, uid 1000 in the
# host namespace can neither chmod, chown, truncate nor open the host's file for writing
# (10,000 tries each); a world-readable file's reads are never refused because B's file is
# 0600; set-id bits are never set; root of a user namespace made by uid 1000 gets no write;
# access(2) agrees with open(2); --host-file serves only what the caller may read itself.
. "$(dirname "$0")/lib.sh"

[ "$(cat /proc/sys/user/max_user_namespaces)" -gt 0 ] || skip "user namespaces disabled"
as_uid() { # as_uid UID CMD...: with that uid and gid, no supplementary groups
	local u=$1
	shift
	setpriv --reuid="$u" --regid="$u" --clear-groups -- "$@"
}

# 10,000 tries of each change and of the reads (RCFS_PERMISSION_TRIES: fewer under an
# emulated CPU).
TRIES=${RCFS_PERMISSION_TRIES:-10000}
new_ns B
HOST_FILE=$BACKING/$HOST_ID.conf
B_FILE=$BACKING/$(ns_id "$B").conf
echo "nameserver 192.0.2.1" >"$HOST_FILE"
chmod 0644 "$HOST_FILE"
echo "nameserver 192.0.2.2" >"$B_FILE"
chown 1000:1000 "$B_FILE"
chmod 0644 "$B_FILE"
start_daemon "$BACKING" "$MNT"

# B's owner may change B's file: chmod, touch, write.
check "B's owner writes B's file" in_ns "$B" setpriv --reuid=1000 --regid=1000 --clear-groups \
	sh -c "echo 'nameserver 192.0.2.22' >'$MNT' && chmod 0644 '$MNT' && touch '$MNT'"
assert_eq "nameserver 192.0.2.22" "$(cat "$B_FILE")" "B's file after its owner's write"

# B stats its file without pause, so the inode's cached owner is 1000 most of the time
# (nsenter itself in the background: $! must be the process to kill).
nsenter --target "$B" --net -- /usr/bin/python3 -c '
import os, sys
while True:
    os.stat(sys.argv[1])
' "$MNT" &
EXTRA_PIDS+=($!)

# shellcheck disable=SC2016
out=$(as_uid 1000 /usr/bin/python3 -c '
import errno, os, sys
path, tries = sys.argv[1], int(sys.argv[2])
got = {"chmod": 0, "chown": 0, "truncate": 0, "open-write": 0, "utime": 0}
for i in range(tries):
    for op, f in (("chmod", lambda: os.chmod(path, 0o666)),
                  ("chown", lambda: os.chown(path, 1000, -1)),
                  ("truncate", lambda: os.truncate(path, 0)),
                  ("open-write", lambda: os.close(os.open(path, os.O_WRONLY))),
                  ("utime", lambda: os.utime(path, (1, 1)))):
        try:
            f()
            got[op] += 1
        except PermissionError:
            pass
print(" ".join("%s=%d" % kv for kv in sorted(got.items())))
' "$MNT" "$TRIES") || fail "uid 1000's attempts did not run: $out"
assert_eq "chmod=0 chown=0 open-write=0 truncate=0 utime=0" "$out" \
	"uid 1000's successful changes of the host's file in $TRIES tries"
assert_eq "nameserver 192.0.2.1" "$(cat "$HOST_FILE")" "host's file after uid 1000's tries"
assert_eq "644 0:0" "$(stat -c '%a %u:%g' "$HOST_FILE")" "host's file mode and owner"

# B's file 0600: uid 1000 reads the host's world-readable file, never refused.
chown 0:0 "$B_FILE"
chmod 0600 "$B_FILE"
out=$(as_uid 1001 /usr/bin/python3 -c '
import sys
refused = 0
for i in range(int(sys.argv[2])):
    try:
        with open(sys.argv[1]) as f:
            if f.read() != "nameserver 192.0.2.1\n":
                print("wrong bytes"); sys.exit(1)
    except PermissionError:
        refused += 1
print(refused)
' "$MNT" "$TRIES") || fail "reads of the host file: $out"
assert_eq 0 "$out" "reads of the world-readable host file refused while B's is 0600"

# access(2) says what open(2) does.
check "uid 1000 may read (access)" as_uid 1000 test -r "$MNT"
as_uid 1000 test -w "$MNT" && fail "access(W_OK) granted to uid 1000 on the host's file"
check "root may write (access)" test -w "$MNT"
in_ns "$B" setpriv --reuid=1000 --regid=1000 --clear-groups test -r "$MNT" &&
	fail "access(R_OK) granted to uid 1000 on B's 0600 root file"

# Set-id bits: never, for root either; chown clears those an admin set.
out=$(chmod 4755 "$MNT" 2>&1) && fail "chmod 4755 succeeded"
out=$(chmod 2755 "$MNT" 2>&1) && fail "chmod 2755 succeeded"
assert_eq "644" "$(stat -c %a "$HOST_FILE")" "host's file mode after set-id chmods"
chmod 4644 "$HOST_FILE"
check "root chowns" chown 0:0 "$MNT"
assert_eq "644" "$(stat -c %a "$HOST_FILE")" "set-uid bit after chown"

# Root of a user namespace made by uid 1000 has capabilities there, not here.
out=$(as_uid 1000 unshare --user --map-root-user sh -c "echo 'nameserver 6.6.6.6' >'$MNT'" 2>&1) &&
	fail "userns root wrote the host's file"
out=$(as_uid 1000 unshare --user --map-root-user chmod 0666 "$MNT" 2>&1) &&
	fail "userns root chmodded the host's file"
assert_eq "nameserver 192.0.2.1" "$(cat "$HOST_FILE")" "host's file after userns root"

# Groups count: a group-writable file is writable by a member, from /proc/TID/status.
chgrp 1002 "$HOST_FILE"
chmod 0664 "$HOST_FILE"
check "a member of the file's group writes" setpriv --reuid=1001 --regid=1001 --groups=1002 \
	sh -c "echo 'nameserver 192.0.2.3' >'$MNT'"
out=$(as_uid 1001 sh -c "echo x >'$MNT'" 2>&1) && fail "a non-member wrote"
assert_eq "nameserver 192.0.2.3" "$(cat "$HOST_FILE")" "host's file after the member's write"
stop_daemon

# --host-file: the host is served a file it could not read itself only if it may read it.
echo "secret" >"$T/secret"
chmod 0600 "$T/secret"
start_daemon --host-file "$T/secret" "$BACKING" "$MNT"
assert_eq "secret" "$(cat "$MNT")" "root reads the 0600 host file"
out=$(as_uid 1000 cat "$MNT" 2>&1) && fail "uid 1000 read a 0600 root file through --host-file: $out"
assert_contains "Permission denied" "$out" "uid 1000 reading the 0600 host file"
stop_daemon
pass
