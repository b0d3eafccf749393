#!/bin/bash
# --host-file: the layout that keeps rename-based managers (resolvconf, NetworkManager,
# systemd-resolved) working. The daemon mounts over a file of its own, the manager keeps
# replacing its file by rename, and the daemon's own namespace reads that file live,
# read-only; other namespaces read their own files.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/manager"
printf 'nameserver 192.0.2.53\n# v1\n' >"$T/manager/resolv.conf"
new_ns A
echo "A's own" >"$BACKING/$(ns_id "$A").conf"
echo "host backing file, not used" >"$BACKING/$HOST_ID.conf"

start_daemon --host-file "$T/manager/resolv.conf" "$BACKING" "$MNT"
assert_eq "$(cat "$T/manager/resolv.conf")" "$(cat "$MNT")" "host reads the manager's file"
assert_eq "A's own" "$(in_ns "$A" cat "$MNT")" "A reads its own"

# The manager replaces its file by rename, as they all do: seen at once.
printf 'nameserver 198.51.100.53\nsearch corp\n# v2\n' >"$T/manager/resolv.conf.new"
mv "$T/manager/resolv.conf.new" "$T/manager/resolv.conf"
assert_eq "$(cat "$T/manager/resolv.conf")" "$(cat "$MNT")" "host after the manager's rename"
assert_eq "$(stat -c %s "$T/manager/resolv.conf")" "$(stat -c %s "$MNT")" "host stat after rename"
assert_eq "A's own" "$(in_ns "$A" cat "$MNT")" "A after the manager's rename"

# The host's file is its manager's: read-only through the mount.
out=$(sh -c "echo x >>'$MNT'" 2>&1) && fail "host write through the mount succeeded"
assert_contains "Read-only file system" "$out" "host write"
out=$(chmod 600 "$MNT" 2>&1) && fail "host chmod succeeded"
assert_eq "host backing file, not used" "$(cat "$BACKING/$HOST_ID.conf")" "host backing file"
stop_daemon

# The mount point itself as host file would send our own opens back to us: refused.
out=$("$RCFS_BIN" --host-file "$MNT" "$BACKING" "$MNT" 2>&1) && fail "--host-file = mount point"
assert_contains "is the mount point itself" "$out" "--host-file = mount point"
out=$("$RCFS_BIN" --host-file "$T/nope" "$BACKING" "$MNT" 2>&1) && fail "missing host file"
assert_contains "host file '$T/nope': No such file" "$out" "missing host file"
pass
