#!/bin/bash
# SIGTERM, SIGINT and SIGHUP each unmount and exit 0, the file underneath is visible again,
# and a write acknowledged before the signal is in the backing file; started again, the
# daemon mounts over the same file.
. "$(dirname "$0")/lib.sh"

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
