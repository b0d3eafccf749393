#!/bin/bash
# --dir: fsx on MOUNTDIR/file from four namespaces at once, each its own backing file
# (BACKING/ID/file), with every op the kernel allows on a file of its own inode: reads and
# writes, appends (also O_APPEND set and cleared by fcntl), truncation, reopening, stat, SEEK_END,
# SEEK_DATA and SEEK_HOLE, MAP_PRIVATE reads, MAP_SHARED reads and writes (msync, then read back), copy_file_range out to
# tmpfs and within the file, sendfile, splice, fallocate (tmpfs has it). Every byte read back,
# every size told, is the namespace's own as its model says; at the end each backing file
# equals its model. A cp (copy_file_range) of the file gets the namespace's own bytes.
#   RCFS_FSX_OPS    op classes (default: all); RCFS_FSX_N ops per namespace (20000);
#   RCFS_FSX_SEED   first seed (namespace n runs SEED+n), to replay a failure.
. "$(dirname "$0")/lib.sh"
dir_mode_setup

ops=${RCFS_FSX_OPS:-all}
nops=${RCFS_FSX_N:-20000}
seed=${RCFS_FSX_SEED:-2000}

pids=()
for n in 1 2 3 4; do
	new_ns ns
	pids+=("$ns")
	mkdir -m 755 "$BACKING/$(ns_id "$ns")"
	# Different sizes and bytes per namespace, so a crossed read or size shows.
	printf 'nameserver 10.0.%d.1\n%0*d\n' "$n" $((n * 1500)) 0 >"$T/ref.$n"
	cp "$T/ref.$n" "$BACKING/$(ns_id "$ns")/file"
done

# What the backing file system (tmpfs) can do itself: fallocate(FALLOC_FL_ZERO_RANGE)?
echo probe >"$T/probe"
zero_range=1
fallocate -z -o 0 -l 2 "$T/probe" 2>/dev/null || zero_range=
rm -f "$T/probe"

start_daemon --dir "$BACKING" "$MNT"
runners=()
for n in 1 2 3 4; do
	in_ns "${pids[n - 1]}" "$RCFS_HELPERS/fsx-ns" -V -N "$nops" -S $((seed + n)) -o "$ops" \
		-s "$T" -i "$T/ref.$n" -d "$T/model.$n" "$MNT/file" >"$T/fsx.$n" 2>&1 &
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
	# No op may be refused here: each file is its own inode, and the daemon has fallocate and
	# copy_file_range. Except copy-range out to tmpfs: the kernel refuses copy_file_range
	# between two file systems of different types (EXDEV since Linux 5.19) before FUSE sees it;
	# cp then falls back to read(2), as the check below shows.
	# Nor fallocate's ZERO_RANGE where the backing file system itself refuses it (tmpfs does).
	if awk -v zero_ok="$zero_range" '/^fsx-ns: op / && $NF != "refused=0" &&
		$3 != "copy-range" && (zero_ok || $3 !~ /^fallocate-zero-range/) { bad = 1; print }
		END { exit !bad }' \
		"$T/fsx.$n" >&2; then
		fail "namespace $n: an op was refused"
	fi
done

for n in 1 2 3 4; do
	cmp "$T/model.$n" "$BACKING/$(ns_id "${pids[n - 1]}")/file" ||
		fail "namespace $n: backing file differs from the exerciser's model"
done

# cp (copy_file_range, within the mount and out to tmpfs) copies the namespace's own bytes.
for n in 1 2 3 4; do
	check "cp out in $n" in_ns "${pids[n - 1]}" cp "$MNT/file" "$T/cp.$n"
	cmp "$T/model.$n" "$T/cp.$n" || fail "namespace $n: cp to tmpfs copied other bytes"
	check "cp within in $n" in_ns "${pids[n - 1]}" cp "$MNT/file" "$MNT/copy"
	cmp "$T/model.$n" "$BACKING/$(ns_id "${pids[n - 1]}")/copy" ||
		fail "namespace $n: cp within the mount copied other bytes"
done
stop_daemon
pass
