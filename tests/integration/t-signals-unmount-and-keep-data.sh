#!/bin/bash
# SIGTERM, SIGINT and SIGHUP each unmount and exit 0, the file underneath is visible again,
# and a write acknowledged before the signal is in the backing file; started again, the
# daemon mounts over the same file. The daemon's own helper threads (rcfs-*) block those
# signals, in both modes: one delivered to a helper would leave libfuse's loop waiting for
# the next request, and the daemon running (seen under valgrind).
. "$(dirname "$0")/lib.sh"

# helpers_block_signals WANT: the daemon has WANT rcfs-* threads, each blocking HUP, INT, TERM.
helpers_block_signals() {
	local t comm mask n=0
	for t in /proc/"$DAEMON_PID"/task/*; do
		comm=$(cat "$t/comm")
		[[ $comm == rcfs-* ]] || continue
		mask=$((16#$(awk '/^SigBlk:/ { print $2 }' "$t/status")))
		((mask & (1 << 0) && mask & (1 << 1) && mask & (1 << 14))) ||
			fail "helper thread $comm does not block SIGHUP, SIGINT and SIGTERM"
		n=$((n + 1))
	done
	assert_eq "$1" "$n" "rcfs-* helper threads"
}
start_daemon "$BACKING" "$MNT"
helpers_block_signals 2 # rcfs-names, rcfs-pagecache
stop_daemon
mkdir -m 755 "$T/dirmnt" "$T/dirbacking"
MNT_FILE=$MNT MNT=$T/dirmnt
start_daemon --dir "$T/dirbacking" "$MNT"
helpers_block_signals 2 # rcfs-names, rcfs-dirwatch
stop_daemon
MNT=$MNT_FILE

new_ns A
echo "host" >"$BACKING/$HOST_ID.conf"
echo "a" >"$BACKING/$(ns_id "$A").conf"

for sig in TERM INT HUP; do
	start_daemon "$BACKING" "$MNT"
	is_mounted "$MNT" || fail "not mounted before SIG$sig"
	in_ns "$A" sh -c "echo 'written before SIG$sig' >>'$MNT'"
	stop_daemon "$sig"
	tail -n 1 "$BACKING/$(ns_id "$A").conf" | grep -qx "written before SIG$sig" ||
		fail "write before SIG$sig lost"
	assert_eq "original file under the mount" "$(cat "$MNT")" "after SIG$sig"
	assert_eq "original file under the mount" "$(in_ns "$A" cat "$MNT")" "A after SIG$sig"
	grep -q "unmounting '$MNT'" "$T/daemon.log" || fail "no unmount log line after SIG$sig"
done
pass
