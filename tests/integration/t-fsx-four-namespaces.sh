#!/bin/bash
# fsx on the mount from four namespaces at once: each runs fsx-ns (an fsx-like exerciser with a
# model of its file) on the one mounted file, and every byte it reads back, every size it is
# told, is its own namespace's file as its model says; at the end each backing file equals its
# exerciser's model and the host's file is untouched. The ops are those the daemon can make
# right with direct_io: sendfile, splice, copy_file_range, mmap and SEEK_END go through the
# inode's shared page cache or size (kernel limits: t-kernel-page-cache-splice-limit).
#   RCFS_FSX_OPS    op classes (default below); RCFS_FSX_N ops per namespace (20000);
#   RCFS_FSX_SEED   first seed (namespace n runs SEED+n), to replay a failure.
. "$(dirname "$0")/lib.sh"

ops=${RCFS_FSX_OPS:-read,write,append,fcntl-append,truncate,reopen,fstat}
nops=${RCFS_FSX_N:-20000}
seed=${RCFS_FSX_SEED:-1000}

pids=()
for n in 1 2 3 4; do
	new_ns ns
	pids+=("$ns")
	# Different sizes and bytes per namespace, so a crossed read or size shows.
	printf 'nameserver 10.0.%d.1\n%0*d\n' "$n" $((n * 1500)) 0 >"$T/ref.$n"
	cp "$T/ref.$n" "$BACKING/$(ns_id "$ns").conf"
done
echo "host bytes" >"$BACKING/$HOST_ID.conf"

start_daemon "$BACKING" "$MNT"
runners=()
for n in 1 2 3 4; do
	in_ns "${pids[n - 1]}" "$RCFS_HELPERS/fsx-ns" -V -N "$nops" -S $((seed + n)) -o "$ops" \
		-s "$T" -i "$T/ref.$n" -d "$T/model.$n" "$MNT" >"$T/fsx.$n" 2>&1 &
	runners+=("$!")
done
failed=()
for n in 1 2 3 4; do
	wait "${runners[n - 1]}" || failed+=("$n (seed $((seed + n)))")
done
for n in 1 2 3 4; do
	echo "--- namespace $n, seed $((seed + n)):"
	head -n 80 "$T/fsx.$n"
done
[ ${#failed[@]} = 0 ] || fail "fsx-ns failed in namespace ${failed[*]} (ops $ops)"

for n in 1 2 3 4; do
	cmp "$T/model.$n" "$BACKING/$(ns_id "${pids[n - 1]}").conf" ||
		fail "namespace $n: backing file differs from the exerciser's model"
done
assert_eq "host bytes" "$(cat "$BACKING/$HOST_ID.conf")" "host's file"
assert_eq "host bytes" "$(cat "$MNT")" "the host's file through the mount"
stop_daemon
assert_eq "original file under the mount" "$(cat "$T/target.conf")" "the original file"
pass
