#!/bin/bash
# --dir: a process whose working directory is a template subdirectory from before its
# namespace's first change (as Debian's resolvconf cds into interface/ and then writes)
# keeps working there: relative creates, renames and reads land in its own copy, never
# ESTALE for ever, never in the template.
. "$(dirname "$0")/lib.sh"
dir_mode_setup

mkdir -p "$T/template/sub"
echo "from the template" >"$T/template/sub/old"
start_daemon --dir -d "$T/template" "$BACKING" "$MNT"
new_ns A
IDA=$(ns_id "$A")

out=$(in_ns "$A" sh -c "cd '$MNT/sub' && cat old && echo new >new.tmp && mv -f new.tmp new &&
	cat new && ls" 2>&1) || fail "relative changes from a template working directory: $out"
assert_contains "from the template" "$out" "read before the copy"
assert_eq "new" "$(cat "$BACKING/$IDA/sub/new")" "A's own copy"
[ -e "$T/template/sub/new" ] && fail "written into the template"
[ -e "$T/template/sub/new.tmp" ] && fail "temporary file in the template"
assert_eq "new old" "$(in_ns "$A" ls "$MNT/sub" | xargs)" "A's listing"
assert_eq "old" "$(ls "$MNT/sub" | xargs)" "the host still sees the template"
stop_daemon
pass
