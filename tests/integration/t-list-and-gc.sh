#!/bin/bash
# --list shows every live namespace with its names, a pid (or bind-only) and the file it is
# served, and the backing files nobody uses; --json says the same for machines; --gc lists
# ID files of namespaces that no longer exist and deletes them only with --delete (never a
# NAME file: the name may come back).
. "$(dirname "$0")/lib.sh"

N=rcfs-t-$$
private_run
new_named_ns "$N-named"
NAMED_ID=$(stat -L -c %i "/run/netns/$N-named")
new_ns A
ID_A=$(ns_id "$A")
new_ns B
ID_B=$(ns_id "$B")
echo x >"$BACKING/$N-named.conf"
echo x >"$BACKING/$ID_A.conf"
echo x >"$BACKING/4026539999.conf"
echo x >"$BACKING/$N-gone.conf"
echo "template" >"$T/template"

out=$("$RCFS_BIN" --list --netns-dir /run/netns "$BACKING" "$MNT") || fail "--list failed"
echo "$out"
row() { grep -E "^net +$1 " <<<"$out" || fail "no row for $1"; }
assert_contains "$N-named" "$(row "$NAMED_ID")" "named row"
assert_contains "bind-only" "$(row "$NAMED_ID")" "named row pid"
assert_contains "own" "$(row "$NAMED_ID")" "named row source"
assert_contains "$BACKING/$N-named.conf" "$(row "$NAMED_ID")" "named row file"
assert_contains " $A " "$(row "$ID_A")" "A row pid"
assert_contains "$BACKING/$ID_A.conf" "$(row "$ID_A")" "A row file"
assert_contains "none" "$(row "$ID_B")" "B row: ENOENT"
assert_contains "$BACKING/4026539999.conf  (no live net namespace 4026539999)" "$out" "orphan id"
assert_contains "$BACKING/$N-gone.conf  (no network namespace named '$N-gone')" "$out" "orphan name"

out=$("$RCFS_BIN" --list -d "$T/template" "$BACKING")
assert_contains "template" "$(row "$ID_B")" "B row with -d"

"$RCFS_BIN" --list --json "$BACKING" >"$T/list.json"
python3 - "$T/list.json" "$ID_A" "$NAMED_ID" "$N-named" "$A" <<'PY' || fail "--json content"
import json, sys
d = json.load(open(sys.argv[1]))
ns = {n["id"]: n for n in d["namespaces"]}
a, named = ns[int(sys.argv[2])], ns[int(sys.argv[3])]
assert a["pid"] == int(sys.argv[5]) and a["served"] == "own", a
assert named["names"] == [sys.argv[4]] and named["pid"] is None, named
assert {"file": "4026539999.conf", "reason": "no live net namespace 4026539999"} in d["unused_files"]
PY

# --gc: lists, deletes only with --delete, and never a NAME file.
out=$("$RCFS_BIN" --gc "$BACKING") || fail "--gc failed"
assert_contains "unused $BACKING/4026539999.conf" "$out" "--gc lists"
[ -e "$BACKING/4026539999.conf" ] || fail "--gc without --delete deleted"
kill "$B"
wait "$B" 2>/dev/null || true
echo x >"$BACKING/$ID_B.conf"
sleep 0.2
out=$("$RCFS_BIN" --gc --delete "$BACKING") || fail "--gc --delete failed"
assert_contains "deleted $BACKING/4026539999.conf" "$out" "--gc --delete"
[ ! -e "$BACKING/4026539999.conf" ] || fail "not deleted"
[ -e "$BACKING/$N-gone.conf" ] || fail "a NAME file was deleted"
[ -e "$BACKING/$ID_A.conf" ] || fail "a live namespace's file was deleted"
# B's namespace may be kept alive a moment by the kernel; its file goes once it is gone.
out=$("$RCFS_BIN" --gc --json "$BACKING")
python3 -c 'import json,sys; json.loads(sys.argv[1])' "$out" || fail "--gc --json is not JSON"

out=$("$RCFS_BIN" --delete "$BACKING" "$MNT" 2>&1) && fail "--delete alone accepted"
assert_contains "--delete only goes with --gc" "$out" "--delete alone"
pass
