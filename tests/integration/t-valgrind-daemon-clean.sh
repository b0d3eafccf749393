#!/bin/bash
# The daemon under valgrind memcheck: reads, writes and a template copy from two namespaces,
# an unidentified caller, then SIGTERM: exit 0, no errors, no leaks. Then the directory mode
# the same way (valgrind refuses openat2: the per-component fallback runs): a template copy,
# temp+rename, mkdir, a rename across subdirectories, readdir, unlink.
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

dir_mode_setup
mkdir -m 755 "$T/dirtemplate" "$T/dirbacking"
echo "template" >"$T/dirtemplate/resolv.conf"
RCFS_VALGRIND=1 start_daemon -v --dir -d "$T/dirtemplate" "$T/dirbacking" "$MNT"
assert_eq "template" "$(in_ns "$A" cat "$MNT/resolv.conf")" "A reads the template directory"
check "A's temp+rename" in_ns "$A" sh -c \
	"echo a >'$MNT/resolv.conf.new' && mv '$MNT/resolv.conf.new' '$MNT/resolv.conf'"
check "B's mkdir, write, rename, unlink" in_ns "$B" sh -c \
	"mkdir '$MNT/d' && echo b >'$MNT/d/f' && mv '$MNT/d/f' '$MNT/g' && ls '$MNT' >/dev/null && rm '$MNT/resolv.conf'"
assert_eq "a" "$(in_ns "$A" cat "$MNT/resolv.conf")" "A's own file"
assert_eq "d g" "$(in_ns "$B" ls "$MNT" | tr '\n' ' ' | sed 's/ $//')" "B's directory"
assert_eq "template" "$(cat "$MNT/resolv.conf")" "the host's view"
stop_daemon
pass
