#!/bin/bash
# Four namespaces, four reader threads each, all at once: every stat and every byte read is
# the reader's own namespace's, zero cross-namespace bytes.
. "$(dirname "$0")/lib.sh"

pids=()
declare -A want
for n in 1 2 3 4; do
	new_ns ns
	pids+=("$ns")
	want[$ns]=$(printf 'nameserver 10.0.%d.1\n%0*d\n' "$n" $((n * 37)) 0)
	printf '%s\n' "${want[$ns]}" >"$BACKING/$(ns_id "$ns").conf"
done

start_daemon "$BACKING" "$MNT"
readers=()
for ns in "${pids[@]}"; do
	in_ns "$ns" "$RCFS_HELPERS/readcheck" "$MNT" "${want[$ns]}"$'\n' 300 4 >"$T/out.$ns" 2>&1 &
	readers+=("$!")
done
rc=0
for r in "${readers[@]}"; do
	wait "$r" || rc=1
done
cat "$T"/out.*
[ "$rc" = 0 ] || fail "a reader saw another namespace's bytes or an error"
[ "$(cat "$T"/out.* | grep -c -x "ops=1200 mismatches=0 errors=0")" = 4 ] ||
	fail "reader totals"
stop_daemon
pass
