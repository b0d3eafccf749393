#!/bin/bash
# --dir: a namespace without its own directory reads the template; its first change copies
# the whole template into BACKING_DIR/ID/ under a temporary name and renames it into place,
# so readers in that namespace, listing and reading all the while, see the template or the
# complete copy, never a half-made tree; no temporary directory is left behind.
. "$(dirname "$0")/lib.sh"
dir_mode_setup

N=1500 # of 16 KiB: copying takes long enough for the readers to look into a half-made tree
mkdir -m 755 "$T/template" "$T/template/sub"
head -c 16384 /dev/zero >"$T/pad"
for i in $(seq $N); do { echo "file $i"; cat "$T/pad"; } >"$T/template/f$i"; done
for i in $(seq 50); do echo "sub $i" >"$T/template/sub/s$i"; done
ln -s f1 "$T/template/link"
start_daemon --dir -d "$T/template" "$BACKING" "$MNT"
new_ns A
ID=$(ns_id "$A")

cat >"$T/reader.py" <<PY
import os, sys
mnt, stop, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
seen = set()
while not os.path.exists(stop):
    names = set(os.listdir(mnt))
    files = {x for x in names if x.startswith("f")}
    sub = set(os.listdir(mnt + "/sub")) if "sub" in names else set()
    if len(files) != n or len(sub - {"marker"}) != 50:
        print("half-made: %d files, %s" % (len(files), sorted(names - files)))
        sys.exit(1)
    with open(mnt + "/f%d" % n) as f:
        if f.readline() != "file %d\n" % n:
            print("wrong content")
            sys.exit(1)
    seen.add("marker" in sub)
print("ok", sorted(seen))
PY
for r in 1 2 3; do
	in_ns "$A" /usr/bin/python3 "$T/reader.py" "$MNT" "$T/stop" $N >"$T/reader$r.out" 2>&1 &
	EXTRA_PIDS+=($!)
done
sleep 0.5
# In a subdirectory: a create in the root would hold the root's lock in the kernel for the
# whole copy, and no reader could look meanwhile.
check "first write" in_ns "$A" sh -c "echo marker >'$MNT/sub/marker'"
sleep 0.5
touch "$T/stop"
for r in 1 2 3; do
	wait "${EXTRA_PIDS[$((r - 1))]}" || fail "reader $r: $(cat "$T/reader$r.out")"
	assert_contains "ok" "$(cat "$T/reader$r.out")" "reader $r"
done

[ -d "$BACKING/$ID" ] || fail "no copy made"
assert_eq "$N" "$(ls "$BACKING/$ID" | grep -c "^f")" "files in the copy"
assert_eq "f1" "$(readlink "$BACKING/$ID/link")" "symlink copied as a symlink"
assert_eq "marker" "$(in_ns "$A" cat "$MNT/sub/marker")" "the write landed in the copy"
assert_eq "$ID" "$(ls -A "$BACKING")" "only the copy in BACKING_DIR (no temporary left)"
[ -e "$T/template/sub/marker" ] && fail "the write reached the template"
assert_eq "$N" "$(ls "$MNT" | grep -c '^f')" "the host still reads the template"

stop_daemon
pass
