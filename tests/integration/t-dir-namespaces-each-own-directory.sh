#!/bin/bash
# --dir: every namespace sees its own directory at the mount: a temp-file + rename updater
# works in each, each reads back its own result, the host's view (the template) is
# untouched; readdir, mkdir/rmdir, RENAME_EXCHANGE and RENAME_NOREPLACE work per namespace;
# two namespaces each have a subdirectory of the same name with their own contents; a
# /etc/resolv.conf-style symlink into the mount serves each namespace its own file.
. "$(dirname "$0")/lib.sh"
dir_mode_setup

mkdir -m 755 "$T/template"
echo "nameserver 192.0.2.1" >"$T/template/resolv.conf"
start_daemon --dir -d "$T/template" "$BACKING" "$MNT"

new_ns A
new_ns B
IDA=$(ns_id "$A")
IDB=$(ns_id "$B")

# Both start from the template, read-only until written: nothing is created by reading.
assert_eq "nameserver 192.0.2.1" "$(in_ns "$A" cat "$MNT/resolv.conf")" "A reads the template"
assert_eq "nameserver 192.0.2.1" "$(in_ns "$B" cat "$MNT/resolv.conf")" "B reads the template"
assert_eq "" "$(ls -A "$BACKING")" "reading created something"

# The updater every resolv.conf manager uses: write a new file, rename it over the old one.
for ns in A B; do
	pid=${!ns}
	check "$ns updater" in_ns "$pid" sh -c \
		"echo 'nameserver 10.0.0.$ns' >'$MNT/resolv.conf.new' && mv '$MNT/resolv.conf.new' '$MNT/resolv.conf'"
done
assert_eq "nameserver 10.0.0.A" "$(in_ns "$A" cat "$MNT/resolv.conf")" "A's result"
assert_eq "nameserver 10.0.0.B" "$(in_ns "$B" cat "$MNT/resolv.conf")" "B's result"
assert_eq "nameserver 192.0.2.1" "$(cat "$MNT/resolv.conf")" "host still sees the template"
assert_eq "nameserver 192.0.2.1" "$(cat "$T/template/resolv.conf")" "template untouched"
assert_eq "nameserver 10.0.0.A" "$(cat "$BACKING/$IDA/resolv.conf")" "A's backing file"
assert_eq "nameserver 10.0.0.B" "$(cat "$BACKING/$IDB/resolv.conf")" "B's backing file"
[ -e "$BACKING/$HOST_ID" ] && fail "the host's directory was made without a write"
ina=$(in_ns "$A" stat -c %i "$MNT/resolv.conf")
inb=$(in_ns "$B" stat -c %i "$MNT/resolv.conf")
[ "$ina" != "$inb" ] || fail "A and B see the same inode $ina"
# Alternating readers: the kernel must not serve one namespace's cached entry to the other.
for i in 1 2 3; do
	assert_eq "nameserver 10.0.0.A" "$(in_ns "$A" cat "$MNT/resolv.conf")" "A again ($i)"
	assert_eq "nameserver 10.0.0.B" "$(in_ns "$B" cat "$MNT/resolv.conf")" "B again ($i)"
done

# A symlink as /etc/resolv.conf would be: followed in each caller's own view.
ln -s "$MNT/resolv.conf" "$T/link"
assert_eq "nameserver 10.0.0.A" "$(in_ns "$A" cat "$T/link")" "A through a symlink"
assert_eq "nameserver 10.0.0.B" "$(in_ns "$B" cat "$T/link")" "B through a symlink"

# readdir per namespace.
check "A creates a file" in_ns "$A" sh -c "echo a >'$MNT/only-in-a'"
assert_eq "only-in-a resolv.conf" "$(in_ns "$A" ls "$MNT" | tr '\n' ' ' | sed 's/ $//')" "A's listing"
assert_eq "resolv.conf" "$(in_ns "$B" ls "$MNT" | tr '\n' ' ' | sed 's/ $//')" "B's listing"
in_ns "$B" test -e "$MNT/only-in-a" && fail "B sees A's file"

# A subdirectory of the same name in both, each with its own contents.
for ns in A B; do
	pid=${!ns}
	check "$ns mkdir" in_ns "$pid" mkdir "$MNT/sub"
	check "$ns writes in sub" in_ns "$pid" sh -c "echo 'sub of $ns' >'$MNT/sub/file'"
done
assert_eq "sub of A" "$(in_ns "$A" cat "$MNT/sub/file")" "A's sub"
assert_eq "sub of B" "$(in_ns "$B" cat "$MNT/sub/file")" "B's sub"
assert_eq "sub of A" "$(in_ns "$A" cat "$MNT/sub/../sub/file")" "A's sub through .."
check "A rmdir needs empty" in_ns "$A" rm "$MNT/sub/file"
check "A rmdir" in_ns "$A" rmdir "$MNT/sub"
in_ns "$A" test -e "$MNT/sub" && fail "A's sub still there"
assert_eq "sub of B" "$(in_ns "$B" cat "$MNT/sub/file")" "B's sub after A's rmdir"

# RENAME_EXCHANGE and RENAME_NOREPLACE.
R=$RCFS_HELPERS/renameat2
check "A writes x" in_ns "$A" sh -c "echo x >'$MNT/x'"
check "A writes y" in_ns "$A" sh -c "echo y >'$MNT/y'"
check "exchange" in_ns "$A" "$R" --exchange "$MNT/x" "$MNT/y"
assert_eq "y" "$(in_ns "$A" cat "$MNT/x")" "x after exchange"
assert_eq "x" "$(in_ns "$A" cat "$MNT/y")" "y after exchange"
out=$(in_ns "$A" "$R" --noreplace "$MNT/x" "$MNT/y" 2>&1) && fail "noreplace replaced"
assert_contains "File exists" "$out" "noreplace"
check "noreplace to a new name" in_ns "$A" "$R" --noreplace "$MNT/x" "$MNT/z"
assert_eq "y" "$(in_ns "$A" cat "$MNT/z")" "z after noreplace"
out=$(in_ns "$A" "$R" --exchange "$MNT/z" "$MNT/none" 2>&1) && fail "exchange with nothing"

# Appends, truncation and a hard link within the tree.
check "append" in_ns "$A" sh -c "echo more >>'$MNT/z'"
assert_eq "y more" "$(in_ns "$A" cat "$MNT/z" | tr '\n' ' ' | sed 's/ $//')" "append"
check "truncate" in_ns "$A" truncate -s 1 "$MNT/z"
assert_eq "y" "$(in_ns "$A" cat "$MNT/z")" "truncate"
check "link" in_ns "$A" ln "$MNT/z" "$MNT/z2"
assert_eq 2 "$(in_ns "$A" stat -c %h "$MNT/z")" "link count"
check "symlink" in_ns "$A" ln -s z "$MNT/zl"
assert_eq "z" "$(in_ns "$A" readlink "$MNT/zl")" "readlink"
in_ns "$B" test -e "$MNT/z" && fail "B sees A's z"

stop_daemon
pass
