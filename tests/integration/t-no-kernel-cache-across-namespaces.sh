#!/bin/bash
# One inode, many contents: nothing may be cached in the kernel across callers. Two namespaces
# stat and read concurrently, each also re-reading an fd it holds open, (1) with files of
# equal size and mtime (only direct_io keeps the page cache out), (2) with different sizes
# (only attribute timeout 0 keeps a stale size out). Any cross-namespace byte fails.
. "$(dirname "$0")/lib.sh"

new_ns A
new_ns B
FA=$BACKING/$(ns_id "$A").conf
FB=$BACKING/$(ns_id "$B").conf

start_daemon "$BACKING" "$MNT"

run_pair() {
	local a=$1 b=$2 pa pb ra=0 rb=0
	in_ns "$A" "$RCFS_HELPERS/readcheck" "$MNT" "$a" 400 2 >"$T/ra" 2>&1 &
	pa=$!
	in_ns "$B" "$RCFS_HELPERS/readcheck" "$MNT" "$b" 400 2 >"$T/rb" 2>&1 &
	pb=$!
	wait "$pa" || ra=$?
	wait "$pb" || rb=$?
	[ "$ra" = 0 ] || fail "A saw other bytes: $(cat "$T/ra")"
	[ "$rb" = 0 ] || fail "B saw other bytes: $(cat "$T/rb")"
}

printf 'nameserver 192.0.2.1\n' >"$FA"
printf 'nameserver 192.0.2.2\n' >"$FB"
touch -d "2020-01-01 00:00:00" "$FA" "$FB"
run_pair "$(cat "$FA")"$'\n' "$(cat "$FB")"$'\n'

printf 'nameserver 192.0.2.1\n' >"$FA"
printf 'nameserver 198.51.100.200\nsearch example\n' >"$FB"
run_pair "$(cat "$FA")"$'\n' "$(cat "$FB")"$'\n'

# Alternating stat from the shell: each sees its own size and inode, every time.
for i in 1 2 3 4 5 6 7 8 9 10; do
	assert_eq "$(stat -c %s:%i "$FA")" "$(in_ns "$A" stat -c %s:%i "$MNT")" "A stat $i"
	assert_eq "$(stat -c %s:%i "$FB")" "$(in_ns "$B" stat -c %s:%i "$MNT")" "B stat $i"
done

stop_daemon
pass
