#!/bin/bash
# The kernel gives a dead namespace's inode number (its ID) to the next new namespace. A file
# the daemon created for the dead one is marked with the boot and its never-reused NS_GET_ID
# (or, where the kernel has none, its SO_NETNS_COOKIE: RCFS_NO_NS_GET_ID=1 runs the daemon
# with a shim that makes NS_GET_ID fail, as on Debian 12's 6.1); the new namespace does not
# inherit it: it gets the template, the old file is moved aside (nothing lost) with a log
# line, and --gc lists it. A file marked in an earlier boot is stale too. A file an admin
# wrote (unmarked) is served as is. The same for the directories of --dir.
. "$(dirname "$0")/lib.sh"

if [ "${RCFS_NO_NS_GET_ID:-0}" = 1 ]; then
	export LD_PRELOAD=$RCFS_HELPERS/no-ns-get-id.so
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
	python3 -c 'import fcntl, os; fcntl.ioctl(os.open("/proc/self/ns/net", os.O_RDONLY), 0x8008b70d, bytes(8))' 2>/dev/null &&
		fail "the shim did not hide NS_GET_ID"
else
	python3 -c 'import fcntl, os; fcntl.ioctl(os.open("/proc/self/ns/net", os.O_RDONLY), 0x8008b70d, bytes(8))' 2>/dev/null ||
		echo "this kernel has no NS_GET_ID: testing the SO_NETNS_COOKIE fallback"
fi
# Marks are user xattrs: tmpfs (the test's BACKING) has them only since Linux 6.6.
python3 -c 'import os, sys; open(sys.argv[1], "w").close(); os.setxattr(sys.argv[1], "user.probe", b"1")' \
	"$BACKING/.probe" 2>/dev/null || skip "the backing file system has no user xattrs (tmpfs before Linux 6.6)"
rm -f "$BACKING/.probe"
printf 'nameserver 192.0.2.1\n' >"$T/template"
start_daemon -d "$T/template" "$BACKING" "$MNT"

# catch_reuse ID: new namespaces until one gets ID (others may take it: give up after 60).
catch_reuse() {
	local want=$1 cand
	for i in $(seq 60); do
		new_ns cand
		if [ "$(ns_id "$cand")" = "$want" ]; then
			REUSED=$cand
			return 0
		fi
		sleep 0.05
	done
	return 1
}

REUSED=
for attempt in $(seq 12); do
	new_ns A
	ID=$(ns_id "$A")
	in_ns "$A" sh -c "echo 'search of the dead namespace' >>'$MNT'"
	[ -f "$BACKING/$ID.conf" ] || fail "no file created for A"
	python3 -c 'import os,sys; os.getxattr(sys.argv[1], "user.resolvconffs.ns")' "$BACKING/$ID.conf" ||
		fail "created file carries no owner mark"
	kill -KILL "$A"
	wait "$A" 2>/dev/null || true
	catch_reuse "$ID" && break
	rm -f "$BACKING/$ID.conf"
done
[ -n "$REUSED" ] || skip "the kernel did not reuse a namespace ID here"

assert_eq "nameserver 192.0.2.1" "$(in_ns "$REUSED" cat "$MNT")" "new namespace with a reused ID"
[ ! -e "$BACKING/$ID.conf" ] || fail "the dead namespace's file is still in place"
aside=$(ls "$BACKING" | grep "^$ID.conf.stale-") || fail "the dead namespace's file was not kept"
assert_contains "search of the dead namespace" "$(cat "$BACKING/$aside")" "kept content"
grep -q "belonged to a net namespace that no longer exists" "$T/daemon.log" || fail "no log line"
in_ns "$REUSED" sh -c "echo 'mine' >'$MNT'"
assert_eq "mine" "$(in_ns "$REUSED" cat "$MNT")" "new namespace writes its own file"
assert_eq "mine" "$(in_ns "$REUSED" cat "$MNT")" "and keeps it (its own mark)"
out=$("$RCFS_BIN" --gc "$BACKING")
assert_contains "$aside" "$out" "--gc lists the moved-aside file"

# A file marked in another boot: stale, whatever its cookie.
new_ns C
echo "from an earlier boot" >"$BACKING/$(ns_id "$C").conf"
setfattr -n user.resolvconffs.ns -v "00000000-0000-0000-0000-000000000000:1" \
	"$BACKING/$(ns_id "$C").conf" 2>/dev/null ||
	python3 -c 'import os,sys; os.setxattr(sys.argv[1], "user.resolvconffs.ns", b"00000000-0000-0000-0000-000000000000:1")' \
		"$BACKING/$(ns_id "$C").conf"
assert_eq "nameserver 192.0.2.1" "$(in_ns "$C" cat "$MNT")" "file marked in an earlier boot"
grep -q "it was made before this boot" "$T/daemon.log" || fail "no log line for the old boot"

# An admin's file (no mark) for a namespace is served as is.
new_ns B
echo "written by hand" >"$BACKING/$(ns_id "$B").conf"
assert_eq "written by hand" "$(in_ns "$B" cat "$MNT")" "unmarked file"
stop_daemon

# --dir: the same marks on the directories it makes by ID, the same checks.
set_mark() { python3 -c 'import os, sys; os.setxattr(sys.argv[1], "user.resolvconffs.ns", sys.argv[2].encode())' "$@"; }
boot=$(cat /proc/sys/kernel/random/boot_id)
dir_mode_setup
DB=$T/dirbacking
mkdir -m 755 "$DB"
start_daemon --dir "$DB" "$MNT"
new_ns D
check "D's first write" in_ns "$D" sh -c "echo mine >'$MNT/resolv.conf'"
python3 -c 'import os, sys; os.getxattr(sys.argv[1], "user.resolvconffs.ns")' "$DB/$(ns_id "$D")" ||
	fail "the directory made for D carries no owner mark"
assert_eq "mine" "$(in_ns "$D" cat "$MNT/resolv.conf")" "D keeps its own marked directory"
for case in "reused:$boot:18446744073709551000" "earlier-boot:00000000-0000-0000-0000-000000000000:1"; do
	new_ns E
	id=$(ns_id "$E")
	mkdir -m 755 "$DB/$id"
	echo "of the dead namespace" >"$DB/$id/resolv.conf"
	set_mark "$DB/$id" "${case#*:}"
	out=$(in_ns "$E" cat "$MNT/resolv.conf" 2>&1) && fail "${case%%:*}: a stale directory was served: $out"
	[ ! -e "$DB/$id" ] || fail "${case%%:*}: the stale directory is still in place"
	aside=$(ls "$DB" | grep "^$id.stale-") || fail "${case%%:*}: the stale directory was not kept"
	assert_eq "of the dead namespace" "$(cat "$DB/$aside/resolv.conf")" "${case%%:*}: kept content"
	rm -r "${DB:?}/$aside"
done
grep -q "belonged to a net namespace that no longer exists (its ID was reused)" "$T/daemon.log" ||
	fail "no log line for the directory of a reused ID"
grep -q "belonged to a net namespace that no longer exists (it was made before this boot)" \
	"$T/daemon.log" || fail "no log line for the directory of an earlier boot"
new_ns F
mkdir -m 755 "$DB/$(ns_id "$F")"
echo "written by hand" >"$DB/$(ns_id "$F")/resolv.conf"
assert_eq "written by hand" "$(in_ns "$F" cat "$MNT/resolv.conf")" "unmarked directory"
stop_daemon
pass
