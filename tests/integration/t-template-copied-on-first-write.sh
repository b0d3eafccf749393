#!/bin/bash
# With -d: a namespace without a file reads and stats the template and creates nothing; its
# first write creates its own file from the template, atomically; the template never changes.
. "$(dirname "$0")/lib.sh"

printf 'nameserver 192.0.2.10\nsearch template\n' >"$T/template"
cp "$T/template" "$T/template.orig"
new_ns A
new_ns B
new_ns C
new_ns D
new_ns E

start_daemon -d "$T/template" "$BACKING" "$MNT"

for ns in "$A" "$B" "$C" "$D" "$E"; do
	assert_eq "$(cat "$T/template")" "$(in_ns "$ns" cat "$MNT")" "template read"
	assert_eq "$(stat -c %s:%i "$T/template")" "$(in_ns "$ns" stat -c %s:%i "$MNT")" \
		"template stat"
done
assert_eq 0 "$(ls -A "$BACKING" | wc -l)" "files created by reads"

in_ns "$A" sh -c "echo 'options ndots:2' >>'$MNT'"
assert_eq "$(cat "$T/template"; echo 'options ndots:2')" "$(cat "$BACKING/$(ns_id "$A").conf")" \
	"A's file after >>"
assert_eq "$(cat "$T/template"; echo 'options ndots:2')" "$(in_ns "$A" cat "$MNT")" "A's view"
in_ns "$B" sh -c "echo 'nameserver 192.0.2.99' >'$MNT'"
assert_eq "nameserver 192.0.2.99" "$(cat "$BACKING/$(ns_id "$B").conf")" "B's file after >"
in_ns "$C" truncate -s 0 "$MNT"
assert_eq 0 "$(stat -c %s "$BACKING/$(ns_id "$C").conf")" "C's file after truncate -s 0"
in_ns "$D" chmod 640 "$MNT"
assert_eq 640 "$(stat -c %a "$BACKING/$(ns_id "$D").conf")" "D's file after chmod"
assert_eq "$(cat "$T/template")" "$(cat "$BACKING/$(ns_id "$D").conf")" "D's file content"
assert_eq 644 "$(stat -c %a "$BACKING/$(ns_id "$A").conf")" "mode of a created file"
cmp -s "$T/template" "$T/template.orig" || fail "the template changed"
assert_eq "$(cat "$T/template")" "$(in_ns "$E" cat "$MNT")" "E still reads the template"
assert_eq 4 "$(ls -A "$BACKING" | wc -l)" "files after four namespaces changed theirs"

# A large template: readers racing the first write see the whole template or the whole
# new file, never a partial copy.
head -c 1048576 /dev/zero | tr '\0' '#' >"$T/big"
stop_daemon
start_daemon -d "$T/big" "$BACKING" "$MNT"
in_ns "$E" sh -c "for i in \$(seq 60); do cat '$MNT' | wc -c; done" >"$T/sizes" &
reader=$!
EXTRA_PIDS+=("$reader")
sleep 0.05
in_ns "$E" sh -c "echo end >>'$MNT'"
wait "$reader"
bad=$(grep -v -x -e 1048576 -e 1048580 "$T/sizes" || true)
[ -z "$bad" ] || fail "a reader saw a partial file: $(sort -u <<<"$bad" | head -3)"
assert_eq 1048580 "$(in_ns "$E" cat "$MNT" | wc -c)" "E's file after >>"
stop_daemon
pass
