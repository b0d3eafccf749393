#!/bin/bash
# --dir --list shows every live namespace with the directory it is served (its own, the
# template, or none yet) and the backing directories nobody uses, plain files left out;
# --gc --delete removes an unused ID directory with everything in it, never a NAME
# directory, a live namespace's, the template kept in BACKING_DIR, or a file; --list
# changes nothing.
. "$(dirname "$0")/lib.sh"
dir_mode_setup

N=rcfs-t-$$
private_run
new_named_ns "$N-named"
NAMED_ID=$(stat -L -c %i "/run/netns/$N-named")
new_ns A
ID_A=$(ns_id "$A")
new_ns B
ID_B=$(ns_id "$B")
mkdir -p "$BACKING/$N-named" "$BACKING/$ID_A/sub" "$BACKING/4026539999/sub" \
	"$BACKING/$N-gone" "$BACKING/template"
echo x >"$BACKING/4026539999/sub/resolv.conf"
echo x >"$BACKING/4026539998" # a file: not the directory mode's
echo "nameserver 192.0.2.1" >"$BACKING/template/resolv.conf"
before=$(find "$BACKING" | sort)

out=$("$RCFS_BIN" --dir --list --netns-dir /run/netns "$BACKING") || fail "--dir --list failed"
echo "$out"
row() { grep -E "^net +$1 " <<<"$out" || fail "no row for $1"; }
assert_contains "DIRECTORY" "$(head -1 <<<"$out")" "header"
assert_contains "$N-named" "$(row "$NAMED_ID")" "named row"
assert_contains "own       $BACKING/$N-named" "$(row "$NAMED_ID")" "named row directory"
assert_contains "own       $BACKING/$ID_A" "$(row "$ID_A")" "A row directory"
assert_contains "none      $BACKING/$ID_B" "$(row "$ID_B")" "B row: where its own would go"
assert_contains "Backing directories no live namespace uses:" "$out" "orphans heading"
assert_contains "$BACKING/4026539999  (no live net namespace 4026539999)" "$out" "orphan id"
assert_contains "$BACKING/$N-gone  (no network namespace named '$N-gone')" "$out" "orphan name"
[[ $out == *4026539998* ]] && fail "a plain file listed as a directory"

out=$("$RCFS_BIN" --dir --list -d "$BACKING/template" "$BACKING") || fail "--list -d failed"
assert_contains "template  $BACKING/template" "$(row "$ID_B")" "B row with -d"
[[ $out == *"named 'template'"* ]] && fail "the template listed as unused"

"$RCFS_BIN" --dir --list --json "$BACKING" >"$T/list.json" || fail "--list --json failed"
python3 - "$T/list.json" "$ID_A" "$ID_B" <<'PY' || fail "--json content"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["mode"] == "dir", d
ns = {n["id"]: n for n in d["namespaces"]}
assert ns[int(sys.argv[2])]["served"] == "own", ns
assert ns[int(sys.argv[3])]["served"] == "none", ns
assert {"file": "4026539999", "reason": "no live net namespace 4026539999"} in d["unused_files"]
PY
assert_eq "$before" "$(find "$BACKING" | sort)" "the backing tree after --list"

out=$("$RCFS_BIN" --dir --gc -d "$BACKING/template" "$BACKING") || fail "--gc failed"
assert_contains "unused $BACKING/4026539999" "$out" "--gc lists"
assert_eq "$before" "$(find "$BACKING" | sort)" "the backing tree after --gc without --delete"
out=$("$RCFS_BIN" --dir --gc --delete -d "$BACKING/template" "$BACKING") || fail "--gc --delete failed"
assert_contains "deleted $BACKING/4026539999" "$out" "--gc --delete"
[ ! -e "$BACKING/4026539999" ] || fail "the unused ID directory was not deleted"
for keep in "$N-named" "$ID_A/sub" "$N-gone" template/resolv.conf 4026539998; do
	[ -e "$BACKING/$keep" ] || fail "--gc --delete deleted $keep"
done

# A mounted daemon agrees with --list: A is served its own directory.
start_daemon --dir "$BACKING" "$MNT"
assert_eq "sub" "$(in_ns "$A" ls "$MNT")" "A's view"
stop_daemon
pass
