# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by every t-*.sh. Each test re-runs itself as root in a private mount namespace with
# a tmpfs scratch directory, so no mount it makes outlives it or reaches the host, even after
# kill -9. Network namespaces are anonymous (held by sleepers we kill) or, for ip netns, live
# under a tmpfs /run of that private mount namespace. Exit 77 = skipped; RCFS_MUST_RUN=1
# (set by scripts/test.sh) turns a skip into a failure.
set -euo pipefail

: "${RCFS_BIN:?RCFS_BIN must name the resolvconffs binary}"
: "${RCFS_HELPERS:=$(dirname "$RCFS_BIN")/tests/helpers}"
TEST_NAME=$(basename "$0" .sh)

skip() {
	echo "SKIP $TEST_NAME: $*"
	if [ "${RCFS_MUST_RUN:-0}" = 1 ]; then
		exit 1
	fi
	exit 77
}

fail() {
	echo "FAIL $TEST_NAME: $*" >&2
	if [ -n "${T:-}" ] && [ -s "$T/daemon.log" ]; then
		echo "--- daemon log:" >&2
		tail -n 40 "$T/daemon.log" >&2
	fi
	exit 1
}

if [ -z "${RCFS_IN_PRIVATE_MNTNS:-}" ]; then
	[ "$(id -u)" = 0 ] || skip "needs root"
	[ -c /dev/fuse ] || skip "needs /dev/fuse"
	export RCFS_IN_PRIVATE_MNTNS=1
	exec unshare --mount --propagation private -- bash "$0" "$@"
fi

SCRATCH_PARENT=$(mktemp -d /tmp/rcfs-test.XXXXXX)
mount -t tmpfs -o mode=755,size=64m rcfs-test "$SCRATCH_PARENT"
T=$SCRATCH_PARENT
mkdir -m 755 "$T/backing"
echo "original file under the mount" >"$T/target.conf"
MNT=$T/target.conf
BACKING=$T/backing

DAEMON_PID=
SLEEPER_PIDS=()
NETNS_NAMES=()
EXTRA_PIDS=()

cleanup() {
	local rc=$?
	local p
	exec 2>/dev/null # no "Killed" job notices for our own sleepers
	for p in "${EXTRA_PIDS[@]}" "${SLEEPER_PIDS[@]}" $DAEMON_PID; do
		kill -KILL "$p" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	for p in "${NETNS_NAMES[@]}"; do
		ip netns del "$p" 2>/dev/null || true
	done
	umount -l "$SCRATCH_PARENT" 2>/dev/null || true
	rmdir "$SCRATCH_PARENT" 2>/dev/null || true
	exit $rc
}
trap cleanup EXIT

pass() {
	echo "PASS $TEST_NAME"
	exit 0
}

# Runs "$@" with a description; fails the test if it fails.
check() {
	local what=$1
	shift
	"$@" || fail "$what"
}

assert_eq() {
	[ "$1" = "$2" ] || fail "$3: expected '$1', got '$2'"
}

# eventually_eq EXPECTED WHAT CMD...: CMD's output becomes EXPECTED within 5 s (the daemon
# learns of ip netns changes asynchronously, from its watcher thread).
eventually_eq() {
	local want=$1 what=$2 got= i
	shift 2
	for i in $(seq 100); do
		got=$("$@" 2>&1) && [ "$got" = "$want" ] && return 0
		sleep 0.05
	done
	fail "$what: expected '$want', got '$got'"
}

assert_contains() {
	case "$2" in
	*"$1"*) ;;
	*) fail "$3: '$2' does not contain '$1'" ;;
	esac
}

is_mounted() {
	# mountinfo field 5 is the mount point; field after " - " the fs type.
	awk -v m="$1" '$5 == m && / - fuse.resolvconffs / { found = 1 } END { exit !found }' \
		/proc/self/mountinfo
}

# start_daemon ARGS...: runs the daemon in the background, logging to $T/daemon.log, and
# waits until the mount is live. RCFS_VALGRIND=1 runs it under valgrind memcheck;
# RCFS_NO_OPENAT2=1 with a shim that refuses openat2 (ENOSYS), as a seccomp filter may. A
# shell starts background jobs with SIGINT ignored (and libfuse keeps an ignored signal
# ignored): env --default-signal gives the daemon the dispositions a terminal or systemd would.
start_daemon() {
	local i pre=()
	: >"$T/daemon.log"
	if [ "${RCFS_NO_OPENAT2:-0}" = 1 ]; then
		pre=("LD_PRELOAD=$RCFS_HELPERS/no-openat2.so"
			"ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0")
	fi
	if [ "${RCFS_VALGRIND:-0}" = 1 ]; then
		env --default-signal=INT,HUP,TERM valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \
			--errors-for-leak-kinds=definite,indirect \
			"$RCFS_BIN" "$@" 2>>"$T/daemon.log" &
	else
		env --default-signal=INT,HUP,TERM "${pre[@]}" "$RCFS_BIN" "$@" 2>>"$T/daemon.log" &
	fi
	DAEMON_PID=$!
	for i in $(seq 200); do
		if grep -q "serving '" "$T/daemon.log"; then
			return 0
		fi
		kill -0 "$DAEMON_PID" 2>/dev/null || fail "daemon exited at start: $(cat "$T/daemon.log")"
		sleep 0.05
	done
	fail "daemon did not come up"
}

# Sanitizer and valgrind reports in the daemon's log fail the test.
check_daemon_log() {
	if grep -E "AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:|^==[0-9]+==" \
		"$T/daemon.log" >&2; then
		fail "sanitizer or valgrind report in the daemon log"
	fi
}

# stop_daemon [SIGNAL]: signals the daemon, wants exit status 0 and the mount gone.
stop_daemon() {
	local sig=${1:-TERM} rc=0
	kill -"$sig" "$DAEMON_PID"
	wait "$DAEMON_PID" || rc=$?
	DAEMON_PID=
	check_daemon_log
	if [ "${RCFS_NO_OPENAT2:-0}" = 1 ] && grep -q "<name or" "$T/daemon.log" &&
		! grep -q "one component at a time" "$T/daemon.log"; then
		fail "RCFS_NO_OPENAT2=1, yet the daemon never fell back from openat2"
	fi
	[ "$rc" = 0 ] || fail "daemon exited with $rc after SIG$sig"
	if is_mounted "$MNT"; then
		fail "still mounted after SIG$sig"
	fi
}

# kill_daemon: kill -9, as the OOM killer would; no unmount by the daemon.
kill_daemon() {
	kill -KILL "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null || true
	DAEMON_PID=
}

# new_ns VAR: a fresh anonymous network namespace held by a sleeper; VAR gets its pid.
new_ns() {
	local pid host i
	unshare --net sleep 1000000 &
	pid=$!
	SLEEPER_PIDS+=("$pid")
	host=$(readlink /proc/self/ns/net)
	for i in $(seq 200); do
		if [ "$(readlink "/proc/$pid/ns/net" 2>/dev/null)" != "$host" ]; then
			printf -v "$1" %s "$pid"
			return 0
		fi
		sleep 0.01
	done
	fail "unshare --net did not start"
}

# ns_id PID: the namespace number "readlink /proc/PID/ns/net" shows between "net:[" and "]".
ns_id() {
	local l
	l=$(readlink "/proc/$1/ns/net")
	l=${l#net:[}
	echo "${l%]}"
}

# in_ns PID CMD...: runs CMD in the network namespace of PID (mount namespace unchanged).
in_ns() {
	local pid=$1
	shift
	nsenter --target "$pid" --net -- "$@"
}

# A private /run, so "ip netns add" never touches the host's /run/netns.
private_run() {
	mount -t tmpfs -o mode=755,size=4m rcfs-run /run
}

# new_named_ns NAME: ip netns add with a name unique to this test run.
new_named_ns() {
	ip netns add "$1" || fail "ip netns add $1"
	NETNS_NAMES+=("$1")
}

HOST_ID=$(ns_id self)

# dir_mode_setup: for --dir tests, MNT becomes an empty directory $T/mnt.
dir_mode_setup() {
	MNT=$T/mnt
	mkdir -m 755 "$MNT"
}
