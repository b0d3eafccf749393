#!/bin/bash
# --dir permissions are decided by the daemon (no default_permissions: the root inode is
# shared): an unprivileged user may read but not write root's files, cannot create or delete
# in root's directories, cannot search a 0700 directory even right after root walked it (no
# cached entry lets it through), and the sticky bit protects one user's files from another.
# The template is copied with its owners and modes, so the same rules hold before and after.
. "$(dirname "$0")/lib.sh"
dir_mode_setup

mkdir -m 755 "$T/template" "$T/template/private" "$T/template/tmp"
chmod 700 "$T/template/private"
chmod 1777 "$T/template/tmp"
echo "root's" >"$T/template/resolv.conf"
echo "secret" >"$T/template/private/secret"
start_daemon --dir -d "$T/template" "$BACKING" "$MNT"
new_ns A

as() { # as UID CMD...: in namespace A
	local uid=$1
	shift
	in_ns "$A" setpriv --reuid="$uid" --regid="$uid" --clear-groups "$@"
}
py=/usr/bin/python3

for phase in template copy; do
	assert_eq "root's" "$(as 1000 cat "$MNT/resolv.conf")" "$phase: user reads"
	as 1000 sh -c "echo x >'$MNT/resolv.conf'" 2>/dev/null && fail "$phase: user wrote root's file"
	as 1000 sh -c "echo x >>'$MNT/resolv.conf'" 2>/dev/null && fail "$phase: user appended"
	as 1000 truncate -s 0 "$MNT/resolv.conf" 2>/dev/null && fail "$phase: user truncated"
	as 1000 chmod 666 "$MNT/resolv.conf" 2>/dev/null && fail "$phase: user chmod"
	as 1000 sh -c "echo x >'$MNT/new'" 2>/dev/null && fail "$phase: user created in root's dir"
	as 1000 rm -f "$MNT/resolv.conf" 2>/dev/null || true
	in_ns "$A" test -e "$MNT/resolv.conf" || fail "$phase: user deleted root's file"
	as 1000 mv "$MNT/resolv.conf" "$MNT/moved" 2>/dev/null && fail "$phase: user renamed"
	as 1000 mkdir "$MNT/d" 2>/dev/null && fail "$phase: user mkdir in root's dir"
	# Root walks the private directory first; the user must still be refused.
	assert_eq "secret" "$(in_ns "$A" cat "$MNT/private/secret")" "$phase: root reads"
	as 1000 cat "$MNT/private/secret" 2>/dev/null && fail "$phase: user searched a 0700 dir"
	as 1000 ls "$MNT/private" >/dev/null 2>&1 && fail "$phase: user listed a 0700 dir"
	as 1000 $py -c "import os; os.access('$MNT/resolv.conf', os.W_OK) and exit(1)" ||
		fail "$phase: access(W_OK) granted"
	assert_eq "root's" "$(cat "$T/template/resolv.conf")" "$phase: template untouched"
	if [ $phase = template ]; then
		[ -e "$BACKING/$(ns_id "$A")" ] && fail "refused writes made a copy"
		check "root's first write" in_ns "$A" sh -c "echo \"root's\" >'$MNT/resolv.conf'"
		[ -d "$BACKING/$(ns_id "$A")" ] || fail "no copy after root's write"
	fi
done

# The sticky directory: each user's files are their own to delete.
check "user 1000 creates" as 1000 sh -c "echo mine >'$MNT/tmp/f1000'"
assert_eq "1000:1000" "$(in_ns "$A" stat -c %u:%g "$MNT/tmp/f1000")" "new file's owner"
as 1001 rm -f "$MNT/tmp/f1000" 2>/dev/null || true
in_ns "$A" test -e "$MNT/tmp/f1000" || fail "user 1001 deleted 1000's file in a sticky dir"
as 1001 mv "$MNT/tmp/f1000" "$MNT/tmp/g" 2>/dev/null && fail "user 1001 renamed 1000's file"
as 1001 sh -c "echo x >'$MNT/tmp/f1000'" 2>/dev/null && fail "user 1001 wrote 1000's 0644 file"
check "user 1000 chmods its own" as 1000 chmod 600 "$MNT/tmp/f1000"
as 1001 cat "$MNT/tmp/f1000" 2>/dev/null && fail "user 1001 read a 0600 file"
check "user 1000 deletes its own" as 1000 rm "$MNT/tmp/f1000"

stop_daemon
pass
