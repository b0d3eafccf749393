#!/bin/bash
# --drop-loopback: a namespace served the host's default file would get "nameserver
# 127.0.0.53", the host's loopback, which its own namespace lacks. Other namespaces get the
# file without loopback nameservers (and a fallback if none is left), the daemon's own
# namespace gets it whole, changes to the file are seen, and it is logged.
. "$(dirname "$0")/lib.sh"

printf '# managed\nnameserver 127.0.0.53\noptions edns0\nsearch lan\n' >"$T/template"
new_ns A
start_daemon --drop-loopback=192.0.2.1 -d "$T/template" "$BACKING" "$MNT"

want=$(printf '# managed\noptions edns0\nsearch lan\nnameserver 192.0.2.1')
assert_eq "$want" "$(in_ns "$A" cat "$MNT")" "A: loopback dropped, fallback added"
assert_eq "$(( ${#want} + 1 ))" "$(in_ns "$A" stat -c %s "$MNT")" "A: stat size of what it reads"
assert_eq "$(cat "$T/template")" "$(cat "$MNT")" "the daemon's own namespace: the file whole"
grep -q "1 loopback nameserver line(s) left out" "$T/daemon.log" || fail "no log line"

# The file changes in place: the next read sees it (filtered again).
printf 'nameserver 10.0.0.53\nnameserver ::1\n' >"$T/template"
assert_eq "nameserver 10.0.0.53" "$(in_ns "$A" cat "$MNT")" "A after the file changed"

# A's first write starts from what it was reading.
in_ns "$A" sh -c "echo 'options ndots:1' >>'$MNT'"
assert_eq "$(printf 'nameserver 10.0.0.53\noptions ndots:1')" "$(cat "$BACKING/$(ns_id "$A").conf")" \
	"A's own file"
stop_daemon

for bad in --drop-loopback=127.0.0.1 --drop-loopback=not-an-address; do
	out=$("$RCFS_BIN" "$bad" -d "$T/template" "$BACKING" "$MNT" 2>&1) && fail "$bad accepted"
	assert_contains "invalid --drop-loopback address" "$out" "$bad"
done
out=$("$RCFS_BIN" --drop-loopback "$BACKING" "$MNT" 2>&1) && fail "--drop-loopback without -d"
assert_contains "--drop-loopback needs -d" "$out" "--drop-loopback without -d"
pass
