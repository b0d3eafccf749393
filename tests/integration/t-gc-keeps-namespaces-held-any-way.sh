#!/bin/bash
# --gc --delete keeps the file of a namespace whatever keeps it alive once no process of its
# own is left: a thread that setns()ed into it while its process's main thread stays in the host
# namespace (or has exited), an open fd, a bind mount outside NETNS_DIR (in this mount namespace,
# or only in another one), a socket made in it (fds and sockets also of a process whose main
# thread has exited). --list shows each, with what holds it. The file of a namespace nothing
# holds is deleted, so the test tells the two apart.
. "$(dirname "$0")/lib.sh"

# wait_until WHAT CMD...: CMD succeeds within 10 s.
wait_until() {
	local what=$1 i
	shift
	for i in $(seq 200); do
		"$@" 2>/dev/null && return 0
		sleep 0.05
	done
	fail "$what: not within 10 s"
}

# release PID: kills a namespace's own process and reaps it: only the holder is left.
release() {
	kill -KILL "$1"
	wait "$1" 2>/dev/null || true
}

HELD=() WHAT=() WANT_PID=() CREATORS=()
# new_held WHAT PID_COLUMN: a new namespace, NS its creator, ID its number; the caller holds it.
new_held() {
	new_ns NS
	ID=$(ns_id "$NS")
	HELD+=("$ID")
	WHAT+=("$1")
	WANT_PID+=("$2")
	CREATORS+=("$NS")
}

# hold_with_helper OUT ARGS...: ns-hold ARGS in the background, output to $T/OUT; H its pid.
hold_with_helper() {
	local out=$T/$1
	shift
	"$RCFS_HELPERS/ns-hold" "$@" >"$out" &
	H=$!
	EXTRA_PIDS+=("$H")
	wait_until "ns-hold $*" test -s "$out"
}

leader_state() {
	awk '$1 == "State:" { print $2 }' "/proc/$1/status"
}

# (1) a thread; the process's main thread stays in the host namespace
new_held "a thread" tid
hold_with_helper thread.out thread "/proc/$NS/ns/net"
TID1=$(cat "$T/thread.out")
WANT_PID[-1]=$TID1
assert_eq "net:[$ID]" "$(readlink "/proc/$H/task/$TID1/ns/net")" "holder thread"
assert_eq "net:[$HOST_ID]" "$(readlink "/proc/$H/ns/net")" "holder's main thread"

# (1b) a thread of a process whose main thread has exited (a zombie: no ns links at all)
new_held "a thread, its main thread gone" tid
hold_with_helper thread-z.out --leader-exits thread "/proc/$NS/ns/net"
WANT_PID[-1]=$(cat "$T/thread-z.out")
eventually_eq Z "main thread exits" leader_state "$H"

# (2) an open fd in a shell of the host namespace
new_held "an fd" fd-only
sleep 1000000 9<"/proc/$NS/ns/net" &
EXTRA_PIDS+=("$!")
eventually_eq "net:[$ID]" "fd holder" readlink "/proc/$!/fd/9"
assert_eq "net:[$HOST_ID]" "$(readlink "/proc/$!/ns/net")" "fd holder's namespace"

# (2b) an fd of a process whose main thread has exited (its /proc/PID/fd shows nothing)
new_held "an fd, its process's main thread gone" fd-only
hold_with_helper fd-z.out --leader-exits fd "/proc/$NS/ns/net"
eventually_eq Z "main thread exits" leader_state "$H"

# (3) a bind mount outside NETNS_DIR, in this mount namespace
new_held "a bind mount here" bind-only
touch "$T/ns3"
mount --bind "/proc/$NS/ns/net" "$T/ns3" || fail "bind mount"

# (4) a bind mount only another mount namespace has; its process is in the host netns
new_held "a bind mount in another mount namespace" bind-only
touch "$T/ns4"
unshare --mount --propagation private -- \
	sh -c 'mount --bind "$1" "$2" && echo mounted && exec sleep 1000000' sh \
	"/proc/$NS/ns/net" "$T/ns4" >"$T/mount4.out" &
EXTRA_PIDS+=("$!")
wait_until "mount holder" test -s "$T/mount4.out"
awk -v m="$T/ns4" '$5 == m { exit 1 }' /proc/self/mountinfo || fail "(4)'s mount is visible here"

# (5) a socket, in a process back in the host namespace
new_held "a socket" socket-only
hold_with_helper socket.out socket "/proc/$NS/ns/net"
assert_eq "net:[$HOST_ID]" "$(readlink "/proc/$H/ns/net")" "socket holder's namespace"

# (5b) a socket of a process whose main thread has exited: copied through a pidfd of another
# thread (PIDFD_THREAD, Linux 6.9; before, such sockets are not seen, as documented)
if python3 -c '
import os, threading
e, ids = threading.Event(), []
t = threading.Thread(target=lambda: (ids.append(threading.get_native_id()), e.wait()))
t.start()
while not ids:
    pass
try:
    os.close(os.pidfd_open(ids[0], os.O_EXCL))
finally:
    e.set()
' 2>/dev/null; then
	new_held "a socket, its process's main thread gone" socket-only
	hold_with_helper socket-z.out --leader-exits socket "/proc/$NS/ns/net"
	eventually_eq Z "main thread exits" leader_state "$H"
else
	echo "no PIDFD_THREAD here: not testing (5b)"
fi

for p in "${CREATORS[@]}"; do
	release "$p"
done
for id in "${HELD[@]}"; do
	echo "held" >"$BACKING/$id.conf"
done

# The verdicts are gathered, so one run shows every way that is missed.
problems=()
gc_keeps_held() {
	local i
	for i in "${!HELD[@]}"; do
		[ -e "$BACKING/${HELD[$i]}.conf" ] ||
			problems+=("--gc --delete deleted the file of a namespace held by ${WHAT[$i]}")
	done
}

# A namespace nothing holds: its file goes. Another test's new namespace may take the dead
# one's ID meanwhile (the kernel hands out the lowest free one): then try again with another.
deleted=
for attempt in $(seq 5); do
	new_ns D
	ID_D=$(ns_id "$D")
	release "$D"
	echo "dead" >"$BACKING/$ID_D.conf"
	out=$("$RCFS_BIN" --gc --delete "$BACKING") || fail "--gc --delete failed: $out"
	echo "$out"
	gc_keeps_held
	[ ${#problems[@]} = 0 ] || break
	if [ ! -e "$BACKING/$ID_D.conf" ]; then
		assert_contains "deleted $BACKING/$ID_D.conf  (no live net namespace $ID_D)" "$out" \
			"--gc --delete reports the dead namespace's file"
		deleted=1
		break
	fi
	rm -f "$BACKING/$ID_D.conf"
done
[ ${#problems[@]} != 0 ] || [ -n "$deleted" ] || fail "the dead namespace's file was never deleted"

out=$("$RCFS_BIN" --list "$BACKING") || fail "--list failed"
echo "$out"
for i in "${!HELD[@]}"; do
	if ! row=$(grep -E "^net +${HELD[$i]} " <<<"$out"); then
		problems+=("--list has no row for the namespace held by ${WHAT[$i]}")
		continue
	fi
	case "$row" in
	*" ${WANT_PID[$i]} "*) ;;
	*) problems+=("--list: '${WANT_PID[$i]}' not in the row of the one held by ${WHAT[$i]}: $row") ;;
	esac
done
"$RCFS_BIN" --list --json "$BACKING" >"$T/list.json"
python3 - "$T/list.json" "${HELD[0]}" "$TID1" "${HELD[2]}" "${HELD[4]}" "${HELD[6]}" <<'PY' ||
import json, sys
ns = {n["id"]: n for n in json.load(open(sys.argv[1]))["namespaces"]}
want = {sys.argv[2]: (int(sys.argv[3]), "thread"), sys.argv[4]: (None, "fd"),
        sys.argv[5]: (None, "mount"), sys.argv[6]: (None, "socket")}
for id, (pid, by) in want.items():
    n = ns.get(int(id))
    assert n and n["pid"] == pid and n["held_by"] == by, (id, pid, by, n)
PY
	problems+=("--list --json: pid and held_by")

if [ ${#problems[@]} != 0 ]; then
	printf '%s\n' "${problems[@]}" >&2
	fail "${#problems[@]} problem(s)"
fi
pass
