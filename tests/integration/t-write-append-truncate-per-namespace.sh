#!/bin/bash
# Writes, appends (with the kernel's idea of the size stale), truncation, fsync, chmod, chown
# and utimens go to the caller's own backing file and to no other.
. "$(dirname "$0")/lib.sh"

new_ns A
new_ns B
FA=$BACKING/$(ns_id "$A").conf
FB=$BACKING/$(ns_id "$B").conf
echo "a" >"$FA"
echo "B has a much longer file than A" >"$FB"
echo "host" >"$BACKING/$HOST_ID.conf"

start_daemon "$BACKING" "$MNT"

in_ns "$A" sh -c "echo first >'$MNT'"
assert_eq "first" "$(cat "$FA")" "> in A"
assert_eq "B has a much longer file than A" "$(cat "$FB")" "B after A's write"

# B reads (the kernel now believes the size is B's), then A appends: must land at A's end.
in_ns "$B" cat "$MNT" >/dev/null
in_ns "$A" sh -c "echo second >>'$MNT'"
assert_eq "$(printf 'first\nsecond\n' | od -c)" "$(od -c <"$FA")" ">> in A after B's read"
in_ns "$A" cat "$MNT" >/dev/null
in_ns "$B" sh -c "echo tail >>'$MNT'"
assert_eq "$(printf 'B has a much longer file than A\ntail\n' | od -c)" "$(od -c <"$FB")" \
	">> in B after A's read"

# The sharpest case: A opens for append, B stats (the kernel's size is now B's, longer), then
# A writes. Kernel 6.18 refreshes the size from A's thread before the write; where a kernel
# does not, its offset is B's size and only the daemon's O_APPEND keeps A's file whole (the
# unit test test_append_ignores_the_offset covers that part on any kernel).
mkfifo "$T/go"
in_ns "$A" bash -c "exec 3>>'$MNT'; read -r _ <'$T/go'; echo third >&3" &
writer=$!
EXTRA_PIDS+=("$writer")
sleep 0.2
in_ns "$B" stat "$MNT" >/dev/null
echo go >"$T/go"
wait "$writer" || fail "append writer failed"
assert_eq "$(printf 'first\nsecond\nthird\n' | od -c)" "$(od -c <"$FA")" \
	">> in A with B's size in the kernel"

# Sizes through the mount are each namespace's own.
assert_eq "$(stat -c %s "$FA")" "$(in_ns "$A" stat -c %s "$MNT")" "A's size"
assert_eq "$(stat -c %s "$FB")" "$(in_ns "$B" stat -c %s "$MNT")" "B's size"

# truncate(1) is open + ftruncate (SETATTR with a handle); : > is O_TRUNC at open.
in_ns "$A" truncate -s 3 "$MNT"
assert_eq "fir" "$(cat "$FA")" "truncate -s 3 in A"
assert_eq 3 "$(in_ns "$A" stat -c %s "$MNT")" "A's size after truncate"
in_ns "$B" sh -c ": >'$MNT'"
assert_eq 0 "$(stat -c %s "$FB")" "O_TRUNC in B"
assert_eq "fir" "$(cat "$FA")" "A after B's truncate"

# fsync through the mount (dd conv=fsync) and a multi-write file.
in_ns "$B" sh -c "printf 'nameserver 192.0.2.53\n' | dd of='$MNT' conv=fsync,notrunc status=none"
assert_eq "nameserver 192.0.2.53" "$(cat "$FB")" "dd conv=fsync in B"

# chmod, chown, touch: on the caller's file only (SETATTR without a handle).
in_ns "$A" chmod 600 "$MNT"
assert_eq 600 "$(stat -c %a "$FA")" "chmod in A"
assert_eq 644 "$(stat -c %a "$FB")" "B's mode after A's chmod"
assert_eq 600 "$(in_ns "$A" stat -c %a "$MNT")" "A's mode through the mount"
assert_eq 644 "$(in_ns "$B" stat -c %a "$MNT")" "B's mode through the mount"
in_ns "$B" chown 1:2 "$MNT"
assert_eq "1:2" "$(stat -c %u:%g "$FB")" "chown in B"
assert_eq "0:0" "$(stat -c %u:%g "$FA")" "A's owner after B's chown"
in_ns "$A" touch -d "2001-02-03 04:05:06" "$MNT"
assert_eq "2001-02-03" "$(date -r "$FA" +%F)" "touch -d in A"
assert_eq "2001-02-03 04:05:06" "$(in_ns "$A" date -r "$MNT" '+%F %T')" "A's mtime via the mount"
[ "$(date -r "$FB" +%Y)" != 2001 ] || fail "B's mtime changed by A's touch"
in_ns "$B" touch "$MNT"
[ "$(date -r "$FB" +%Y)" = "$(date +%Y)" ] || fail "touch (now) in B"

# default_permissions: an unprivileged user can read a 0644 file but not write it.
assert_eq "host" "$(setpriv --reuid=65534 --regid=65534 --clear-groups cat "$MNT")" "nobody reads"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups sh -c "echo x >>'$MNT'" 2>&1) &&
	fail "nobody could write"
assert_contains "Permission denied" "$out" "nobody writes"
assert_eq "host" "$(cat "$BACKING/$HOST_ID.conf")" "host file after nobody's write"
# and cannot read A's file, now 0600.
out=$(in_ns "$A" setpriv --reuid=65534 --regid=65534 --clear-groups cat "$MNT" 2>&1) &&
	fail "nobody read a 0600 file"

stop_daemon
pass
