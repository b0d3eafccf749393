#!/bin/bash
# A 1 MiB file reads back byte-identical through the mount, and a 1 MiB write lands
# byte-identical in the caller's backing file, with a different namespace alongside.
. "$(dirname "$0")/lib.sh"

new_ns A
new_ns B
head -c 1048576 /dev/urandom >"$BACKING/$(ns_id "$A").conf"
head -c 1048576 /dev/urandom >"$T/payload"
echo "small" >"$BACKING/$(ns_id "$B").conf"

start_daemon "$BACKING" "$MNT"
in_ns "$A" cmp "$MNT" "$BACKING/$(ns_id "$A").conf" || fail "1 MiB read differs"
assert_eq 1048576 "$(in_ns "$A" stat -c %s "$MNT")" "1 MiB size"
in_ns "$B" sh -c "cat '$T/payload' >'$MNT'"
cmp "$T/payload" "$BACKING/$(ns_id "$B").conf" || fail "1 MiB write differs"
in_ns "$B" dd if="$T/payload" of="$MNT" bs=1M status=none
cmp "$T/payload" "$BACKING/$(ns_id "$B").conf" || fail "1 MiB dd write differs"
in_ns "$B" cmp "$MNT" "$T/payload" || fail "1 MiB read-back differs"
in_ns "$A" cmp "$MNT" "$BACKING/$(ns_id "$A").conf" || fail "A changed"
stop_daemon
pass
