#!/bin/bash
# --dir: an admin's change of a backing file, made outside the mount while a namespace reads
# it through the mount, is what that namespace reads next (the daemon watches the backing
# objects and drops the kernel's pages and attributes of the changed node): through an fd
# held open, at the next open (the page cache is kept across opens), and in stat. The edit
# keeps the size and restores the mtime (as cp -p or rsync -t would): the kernel's own check
# (auto_inval_data: mtime or size changed) cannot see it. Then a longer edit, a replacement by
# rename and a new file in the namespace's directory. Another namespace's file is untouched.
. "$(dirname "$0")/lib.sh"
dir_mode_setup

new_ns A
new_ns B
DA=$BACKING/$(ns_id "$A")
DB=$BACKING/$(ns_id "$B")
mkdir -m 755 "$DA" "$DB"
echo "nameserver 10.0.0.1" >"$DA/resolv.conf"
echo "nameserver 10.0.0.9" >"$DB/resolv.conf"
start_daemon --dir "$BACKING" "$MNT"

# eventually_in A EXPECTED WHAT CMD...: CMD in namespace A outputs EXPECTED within 10 s.
eventually_in_a() {
	local want=$1 what=$2 got= i
	shift 2
	for i in $(seq 200); do
		got=$(in_ns "$A" "$@" 2>&1) && [ "$got" = "$want" ] && return 0
		sleep 0.05
	done
	fail "$what: expected '$want', got '$got'"
}

assert_eq "nameserver 10.0.0.1" "$(in_ns "$A" cat "$MNT/resolv.conf")" "A's first read"
assert_eq "nameserver 10.0.0.1" "$(in_ns "$A" cat "$MNT/resolv.conf")" "A's cached read"
in_ns "$A" "$RCFS_HELPERS/held-read" "$MNT/resolv.conf" "$T/ready" $'nameserver 10.0.0.2\n' 10 \
	>"$T/held.out" 2>&1 &
held=$!
EXTRA_PIDS+=("$held")
for i in $(seq 200); do
	[ -e "$T/ready" ] && break
	sleep 0.05
done
[ -e "$T/ready" ] || fail "held-read did not start: $(cat "$T/held.out")"

# In place, same size, the old mtime restored.
touch -r "$DA/resolv.conf" "$T/stamp"
printf 'nameserver 10.0.0.2\n' >"$T/new"
dd if="$T/new" of="$DA/resolv.conf" conv=notrunc status=none
touch -m -r "$T/stamp" "$DA/resolv.conf"
wait "$held" || fail "the fd held open kept the old bytes: $(cat "$T/held.out")"
eventually_in_a "nameserver 10.0.0.2" "A's next open after a same-size edit" cat "$MNT/resolv.conf"

# Longer: new bytes and the new size.
printf 'nameserver 10.0.0.3\nnameserver 10.0.0.4\n' >>"$DA/resolv.conf"
eventually_in_a "$(stat -c %s "$DA/resolv.conf")" "A's stat after a longer edit" \
	stat -c %s "$MNT/resolv.conf"
eventually_in_a "$(cat "$DA/resolv.conf")" "A's read after a longer edit" cat "$MNT/resolv.conf"

# Replaced by rename, as resolvconf does it; and a new file.
echo "nameserver 10.0.0.5" >"$DA/resolv.conf.new"
mv "$DA/resolv.conf.new" "$DA/resolv.conf"
eventually_in_a "nameserver 10.0.0.5" "A's read after a rename" cat "$MNT/resolv.conf"
echo "search example" >"$DA/extra.conf"
eventually_in_a "search example" "A reads a new file" cat "$MNT/extra.conf"
eventually_in_a "$(printf 'extra.conf\nresolv.conf')" "A's listing" ls "$MNT"

assert_eq "nameserver 10.0.0.9" "$(in_ns "$B" cat "$MNT/resolv.conf")" "B's file"
stop_daemon
pass
