#!/bin/bash
# The daemon under valgrind memcheck: reads, writes and a template copy from two namespaces,
# an unidentified caller, then SIGTERM: exit 0, no errors, no leaks.
. "$(dirname "$0")/lib.sh"

command -v valgrind >/dev/null || skip "valgrind not installed"
[ "${RCFS_SANITIZED:-0}" = 1 ] && skip "sanitizer build: valgrind runs on the plain build"

new_ns A
new_ns B
echo "template" >"$T/template"
echo "a" >"$BACKING/$(ns_id "$A").conf"
RCFS_VALGRIND=1 start_daemon -v -d "$T/template" "$BACKING" "$MNT"
assert_eq "a" "$(in_ns "$A" cat "$MNT")" "A"
assert_eq "template" "$(in_ns "$B" cat "$MNT")" "B"
in_ns "$B" sh -c "echo more >>'$MNT'"
in_ns "$A" truncate -s 0 "$MNT"
in_ns "$A" chmod 600 "$MNT"
assert_eq "$(printf 'template\nmore')" "$(in_ns "$B" cat "$MNT")" "B after write"
head -c 200000 /dev/urandom >"$BACKING/$(ns_id "$A").conf"
in_ns "$A" cmp "$MNT" "$BACKING/$(ns_id "$A").conf" || fail "large read"
stop_daemon
pass
