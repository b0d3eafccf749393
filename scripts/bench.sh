#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The benchmark (README "Performance"). Measures, in one run, these subjects side by side:
#   native   a plain file on tmpfs: the physical floor;
#   floor    the minimal floor, the reference: bench/floorfs, a FUSE daemon that does no work,
#            mounted with allow_other alone (stat = GETATTR; open+read+close = OPEN + READ +
#            RELEASE): what any FUSE daemon with our cache-nothing settings pays;
#   floordp  the same mounted with default_permissions, which adds a GETATTR before every OPEN
#            (resolvconffs' options until it checks permissions itself);
#   floorno  the same answering OPEN with ENOSYS: no OPEN or RELEASE, reads from the page
#            cache: the least FUSE allows, shown, not a reference (see bench/floorfs.c);
#   rcfs     resolvconffs, serving 8 namespaces from backing files on tmpfs (DAEMONS: more
#            resolvconffs configurations are more columns);
#   rcfsdir  resolvconffs --dir, each namespace's BACKING/<ID>/resolv.conf, reached through a
#            symlink into the mount directory as /etc/resolv.conf would be;
# for stat, open+read(4 KiB)+close and open(O_TRUNC)+write(128 B)+close, with 1 and 4 caller
# threads spread over 8 network namespaces (bench/bench-load.c); stat and open+read+close with
# caller and daemon pinned to one CPU (separate daemons started under taskset); and 8 callers
# reading in parallel, one per namespace. Then how resolvconffs scales with the number K of
# namespaces it has served (1, 100, 1,000, 10,000): latency from one namespace, RSS, open fds,
# threads; and the directory mode at 10,000 (dk10000). Prints a table with the targets as PASS/MISS; writes
# bench/results/latest.{txt,json,png} (--quick: quick.*; --named: *-named.*).
#
# Namespaces are anonymous, served BACKING/<ID>.conf; with --named they have ip netns names
# (bind mounts in a --netns-dir of each daemon's own: kK sees exactly K names) and are served
# BACKING/<name>.conf, so the name table's lookup and size are measured too. With --marked
# the backing files carry the owner mark resolvconffs puts on the files it creates (an xattr
# with the namespace's NS_GET_ID), which it checks on every stat and open.
#
# Other work may share the machine (the test suite on 2 cores), so the subjects of a table are
# measured by one bench-load run in alternating short slices (a round = one slice of each, in
# a rotating order), and the report takes medians over rounds; a ratio is the median of
# per-round ratios, so both sides were measured within a second of each other.
#
# Root and /dev/fuse. Everything runs in a private mount namespace on a tmpfs, and in a pid
# namespace of its own (this script is its init): however the run ends, even by kill -9, its
# processes die with it and its mounts with them. The network namespaces are anonymous
# (bind-mounted onto files on that tmpfs), so they are freed too. Exit 77 (skip) without root
# or /dev/fuse.
#
#   scripts/bench.sh [--quick] [--named] [--marked] [--rounds N] [--nice N] [--profile]
#                    [--out DIR]
#
# --nice -5 (say) runs everything at a higher CPU priority: on a busy machine latencies then
# include less waiting for a CPU, at the expense of the other work.
#
# Binaries: $RCFS_BIN and $RCFS_BENCH_BIN (meson benchmark sets them), else built in
# build-bench.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
	echo "usage: scripts/bench.sh [--quick] [--named] [--marked] [--rounds N] [--nice N]" \
		"[--profile] [--out DIR]" >&2
	exit 2
}

ARGS=("$@") # for the re-run inside the private mount namespace
MODE=full
ROUNDS=
PROFILE=0
NAMED=0
MARKED=0
NICE=0
OUT=
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) MODE=quick ;;
	--named) NAMED=1 ;;
	--marked) MARKED=1 ;;
	--rounds) ROUNDS=${2:?}; shift ;;
	--nice) NICE=${2:?}; shift ;;
	--profile) PROFILE=1 ;;
	--out) OUT=${2:?}; shift ;;
	-h | --help) usage ;;
	*) usage ;;
	esac
	shift
done

# Seconds per slice, and rounds (plus one warm-up round). A run measures 46 subjects: 3 ops x
# 2 thread counts x 4 subjects (native, 2 floors, rcfs), pinned 2 ops x 4, in parallel 4, scaling
# 2 ops x (floor + 4 K + dk10000); each daemon of DAEMONS beyond rcfs adds 11. Full: 46 x 42 x 0.25 s =
# 8 minutes; quick: 46 x 13 x 0.1 s = 60 seconds, still every subject, operation and K. Plus
# set-up (10,000 namespaces: ~5 s) and the kernel's teardown of them (up to 30 s).
if [ "$MODE" = quick ]; then
	SLICE=0.1 ROUNDS=${ROUNDS:-12}
else
	SLICE=0.25 ROUNDS=${ROUNDS:-41}
fi
KS=(1 100 1000 10000)
K_MAX=${KS[${#KS[@]} - 1]}
LOAD_NS=8 # the namespaces the operation table's callers are spread over
# The resolvconffs configurations measured against the floors, each a column of the table;
# rcfs_daemon starts each (NAME, NAMEpin for the pinned case).
DAEMONS=(rcfs rcfsdir)
FLOORS=(floor floordp floorno)
# The directory mode's daemons: rcfsdir (and rcfsdirpin), and dkK of the scaling part.
is_dir_daemon() {
	case "$1" in
	rcfsdir* | dk*) return 0 ;;
	esac
	return 1
}

if [ -z "${RCFS_BENCH_INSIDE:-}" ]; then
	export RCFS_BENCH_T0=$(date +%s)
	[ "$(id -u)" = 0 ] || { echo "bench: needs root" >&2; exit 77; }
	[ -c /dev/fuse ] || { echo "bench: needs /dev/fuse" >&2; exit 77; }
	if [ -z "${RCFS_BIN:-}" ]; then
		[ -d build-bench ] || meson setup build-bench >/dev/null
		ninja -C build-bench resolvconffs bench/floorfs bench/bench-load bench/bench-ns >/dev/null
		export RCFS_BIN=$PWD/build-bench/resolvconffs RCFS_BENCH_BIN=$PWD/build-bench/bench
	fi
	export RCFS_BENCH_INSIDE=1
	exec nice -n "$NICE" unshare --mount --propagation private --pid --fork --kill-child \
		--mount-proc -- bash "$0" "${ARGS[@]}"
fi

: "${RCFS_BENCH_BIN:=$(dirname "$RCFS_BIN")/bench}"
OUT=${OUT:-$PWD/bench/results}
NAME=$([ "$MODE" = quick ] && echo quick || echo latest)$([ "$NAMED" = 0 ] || echo -named)
NAME+=$([ "$MARKED" = 0 ] || echo -marked)
LOAD=$RCFS_BENCH_BIN/bench-load
NSTOOL=$RCFS_BENCH_BIN/bench-ns
FLOORFS=$RCFS_BENCH_BIN/floorfs
# The CPU of the pinned case: the last one this run may use (CPU 0 takes more interrupts).
PIN_CPU=$(awk '/^Cpus_allowed_list:/ { print $2 }' /proc/self/status | tr ',' '\n' | tail -n 1)
PIN_CPU=${PIN_CPU##*-}

elapsed() { echo $(($(date +%s) - RCFS_BENCH_T0)); }
log() { printf '[%3ss] %s\n' "$(elapsed)" "$*" >&2; }

T=$(mktemp -d /tmp/rcfs-bench.XXXXXX)
PIDS=()
RESTORE=() # "path value" of sysctls raised for the run

cleanup() {
	local rc=$? p
	for p in "${PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null || true # daemons unmount on SIGTERM
	done
	wait 2>/dev/null || true
	# Detaching the tmpfs drops the mounts on it (the FUSE ones, each namespace's bind mount):
	# the namespaces are freed with it.
	umount -l "$T" 2>/dev/null || true
	rmdir "$T" 2>/dev/null || true
	wait_netns_teardown
	for p in "${RESTORE[@]}"; do
		echo "${p#* }" >"${p%% *}"
	done
	exit $rc
}

# The kernel tears network namespaces down in a work queue after we let go of them: for
# 10,000, some 20 s of one CPU. Wait while it does (at most 30 s), so that a next run, or the
# test suite, does not pay for this one unannounced. There is no count of namespaces being
# torn down (the slab's counts lag by minutes), so: until the machine is nearly idle.
CREATED_NETNS=0
cpu_busy() { # all CPUs' busy time so far, in clock ticks
	awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat
}
wait_netns_teardown() {
	local i b0 b1 hz
	[ "$CREATED_NETNS" = 1 ] || return 0
	hz=$(getconf CLK_TCK)
	log "waiting for the kernel to tear the network namespaces down"
	for ((i = 0; i < 30; i++)); do
		b0=$(cpu_busy)
		sleep 1
		b1=$(cpu_busy)
		[ $((b1 - b0)) -ge $((hz * 3 / 10)) ] || return 0
	done
}

trap cleanup EXIT
trap 'exit 130' INT TERM

# The one tmpfs everything lives on: 11,109 backing files of 4 KiB fit in 64 MiB. And a
# /run of our own: the daemons look for ip netns names in /run/netns, and the host's must
# neither be touched nor change what we measure.
mount -t tmpfs -o mode=755,size=256m rcfs-bench "$T"
mount -t tmpfs -o mode=755,size=1m rcfs-bench-run /run
mkdir -m 755 "$T/ns"

# Only what the run needs, and only if it is short: the sysctls are restored on exit.
raise_limit() { # raise_limit /proc/sys/... MINIMUM
	local cur
	cur=$(cat "$1")
	if [ "$cur" -lt "$2" ]; then
		RESTORE+=("$1 $cur")
		echo "$2" >"$1"
	fi
}
raise_limit /proc/sys/user/max_net_namespaces $((K_MAX + 100))
# Each namespace is a bind mount, and with --named once more per daemon that names it.
raise_limit /proc/sys/fs/mount-max $(($(wc -l </proc/self/mountinfo) + 3 * K_MAX + 100))


# start NAME CMD...: a FUSE daemon in the background; waits for its "serving" line.
start() {
	local name=$1 i
	shift
	env --default-signal=INT,HUP,TERM "$@" 2>"$T/$name.log" &
	PIDS+=($!)
	eval "PID_$name=$!"
	for i in $(seq 200); do
		grep -q "serving '" "$T/$name.log" && return 0
		kill -0 "$!" 2>/dev/null || break
		sleep 0.05
	done
	echo "bench: $name did not start:" >&2
	cat "$T/$name.log" >&2
	exit 1
}

# rcfs_daemon NAME K [WRAPPER...]: resolvconffs over $T/NAME.conf, with backing files for
# namespaces 0..K-1 that have each read through the mount once (and got their own file:
# checked), started under WRAPPER (taskset for the pinned case). --named: the K namespaces are
# named in the daemon's own --netns-dir before it starts.
# A directory-mode daemon (is_dir_daemon) mounts on $T/NAME.mnt, and $T/NAME.conf is a
# symlink to NAME.mnt/resolv.conf, as /etc/resolv.conf would be.
rcfs_daemon() {
	local name=$1 k=$2 opts=()
	shift 2
	mkdir -m 755 "$T/$name.backing"
	if is_dir_daemon "$name"; then
		mkdir -m 755 "$T/$name.mnt"
		ln -s "$name.mnt/resolv.conf" "$T/$name.conf"
	else
		"$NSTOOL" fill "$T/$name.conf"
	fi
	if [ "$NAMED" = 1 ]; then
		mkdir -m 755 "$T/$name.names"
		"$NSTOOL" names "$T/ns" 0 "$k" "$T/$name.names"
		opts=(--netns-dir "$T/$name.names")
	fi
	if is_dir_daemon "$name"; then
		start "$name" "$@" "$RCFS_BIN" --dir "${opts[@]}" "$T/$name.backing" "$T/$name.mnt"
	else
		start "$name" "$@" "$RCFS_BIN" "${opts[@]}" "$T/$name.backing" "$T/$name.conf"
	fi
	backing_files 0 "$k" "$name"
	"$NSTOOL" read "$T/ns" 0 "$k" "$T/$name.conf"
}

# backing_files FROM TO NAME: each namespace's own file for daemon NAME, by ID or (--named)
# by name; BACKING/<ID>/resolv.conf for the directory mode (which checks no owner marks).
backing_files() {
	local flags=()
	[ "$NAMED" = 0 ] || flags+=(named)
	if is_dir_daemon "$3"; then
		flags+=(dir)
	elif [ "$MARKED" = 1 ]; then
		flags+=(marked)
	fi
	"$NSTOOL" files "$T/ns" "$1" "$2" "$T/$3.backing" "${flags[@]}"
}

# ---- set-up
log "creating $K_MAX network namespaces"
CREATED_NETNS=1
"$NSTOOL" create "$T/ns" 0 "$K_MAX"

"$NSTOOL" fill "$T/native.conf"
# Every floor and daemon twice: as is, and pinned (with all its threads) to $PIN_CPU.
PIN=(taskset -c "$PIN_CPU")
for pin in "" pin; do
	for s in "${FLOORS[@]}"; do
		"$NSTOOL" fill "$T/$s$pin.conf"
	done
	start "floor$pin" ${pin:+"${PIN[@]}"} "$FLOORFS" "$T/floor$pin.conf"
	start "floordp$pin" ${pin:+"${PIN[@]}"} "$FLOORFS" --default-permissions \
		"$T/floordp$pin.conf"
	start "floorno$pin" ${pin:+"${PIN[@]}"} "$FLOORFS" --no-open "$T/floorno$pin.conf"
	for s in "${DAEMONS[@]}"; do
		rcfs_daemon "$s$pin" $LOAD_NS ${pin:+"${PIN[@]}"}
	done
done
# One resolvconffs per K, all alive at once, so the K are measured interleaved in the same
# rounds like everything else: daemon kK has served exactly K namespaces.
for k in "${KS[@]}"; do
	log "resolvconffs with K=$k namespaces read through it"
	rcfs_daemon "k$k" "$k"
done
log "resolvconffs --dir with K=$K_MAX namespaces read through it"
rcfs_daemon "dk$K_MAX" "$K_MAX"


# measure SECTION OP K ARG...: one bench-load run (rounds of alternating slices), under
# taskset for the section "pinned"; its lines, prefixed with what they measured, go to $RAW.
RAW=$T/raw.txt
measure() {
	local section=$1 op=$2 k=$3 out wrap=()
	shift 3
	[ "$section" != pinned ] || wrap=("${PIN[@]}")
	out=$("${wrap[@]}" "$LOAD" -o "$op" -R "$ROUNDS" -s "$SLICE" "$@") ||
		{ echo "bench: bench-load failed ($section, $op)" >&2; exit 1; }
	sed "s/^/section=$section op=$op k=$k /" <<<"$out" >>"$RAW"
}

# The write runs truncate files to 128 bytes; reads must keep reading 4 KiB.
refill() {
	local s
	"$NSTOOL" fill "$T/native.conf"
	for s in "${DAEMONS[@]}"; do
		backing_files 0 $LOAD_NS "$s"
	done
}

# How busy the machine was with work other than ours while we measured: the benchmark cannot
# stop the test suite running beside it, but it can say so. In clock ticks: all CPUs' busy
# time from /proc/stat, ours from /proc/PID/stat (utime stime cutime cstime) of the daemons
# and of this shell (whose reaped children are every bench-load run).
our_cpu() {
	local p sum=0
	for p in $$ "${PIDS[@]}"; do
		sum=$((sum + $(sed 's/.*) //' "/proc/$p/stat" | awk '{ print $12 + $13 + $14 + $15 }')))
	done
	echo $sum
}
BUSY0=$(cpu_busy) OURS0=$(our_cpu) WALL0=$(date +%s.%N)

# ---- the operation table: every subject x 1 and 4 threads, callers over $LOAD_NS namespaces
SUBJECTS=(native "${FLOORS[@]}" "${DAEMONS[@]}")
NSARGS=()
for ((i = 0; i < LOAD_NS; i++)); do
	NSARGS+=(-n "$T/ns/$i")
done
for op in stat read write; do
	log "$op: ${SUBJECTS[*]}; 1 and 4 threads; $ROUNDS rounds"
	subjects=()
	for threads in 1 4; do
		for s in "${SUBJECTS[@]}"; do
			subjects+=("$s:$threads:$T/$s.conf")
		done
	done
	measure ops "$op" $LOAD_NS "${NSARGS[@]}" "${subjects[@]}"
	[ "$op" != write ] || refill
done

# ---- pinned: one caller and the daemon on one CPU, so every round trip is two context
# switches on that CPU and no wake-up of another; the pinned daemons (NAMEpin), bench-load
# under taskset. Native too, on the same CPU.
for op in stat read; do
	log "$op: ${SUBJECTS[*]}; 1 thread pinned to CPU $PIN_CPU with its daemon; $ROUNDS rounds"
	subjects=("native:1:$T/native.conf")
	for s in "${FLOORS[@]}" "${DAEMONS[@]}"; do
		subjects+=("$s:1:$T/${s}pin.conf")
	done
	measure pinned "$op" $LOAD_NS "${NSARGS[@]}" "${subjects[@]}"
done

# ---- in parallel: $LOAD_NS callers, one per namespace (thread i stays in namespace i),
# reading at once: aggregate ops/s against the floor's.
log "read: ${SUBJECTS[*]}; $LOAD_NS threads, one per namespace; $ROUNDS rounds"
subjects=()
for s in "${SUBJECTS[@]}"; do
	subjects+=("$s:$LOAD_NS:$T/$s.conf")
done
measure parallel read $LOAD_NS "${NSARGS[@]}" "${subjects[@]}"

# ---- scaling: one caller in namespace 0 (every kK serves it), each K and the floor
SCALE_NAMES=()
for k in "${KS[@]}"; do
	SCALE_NAMES+=("k$k")
done
SCALE_NAMES+=("dk$K_MAX")
for op in stat read; do
	log "$op: one caller, resolvconffs at K = ${KS[*]}; $ROUNDS rounds"
	subjects=("floor:1:$T/floor.conf")
	for s in "${SCALE_NAMES[@]}"; do
		subjects+=("$s:1:$T/$s.conf")
	done
	measure scale "$op" 0 -n "$T/ns/0" "${subjects[@]}"
done

OTHER_CPUS=$(awk -v b="$(($(cpu_busy) - BUSY0))" -v o="$(($(our_cpu) - OURS0))" \
	-v t0="$WALL0" -v t1="$(date +%s.%N)" -v hz="$(getconf CLK_TCK)" \
	'BEGIN { v = (b - o) / hz / (t1 - t0); printf "%.2f", v < 0 ? 0 : v }')

# ---- what each daemon holds after all that: RSS, open fds, threads
STATS=$T/stats.tsv
for s in "${FLOORS[@]}" "${DAEMONS[@]}" "${SCALE_NAMES[@]}"; do
	pid_var=PID_$s
	pid=${!pid_var}
	printf '%s\t%s\t%s\t%s\t%s\n' "$s" \
		"$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")" \
		"$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status")" \
		"$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 | wc -l)" \
		"$(awk '/^Threads:/ { print $2 }' "/proc/$pid/status")" >>"$STATS"
done

# ---- optional: where resolvconffs' time goes. perf with the software clock (hardware
# counters are often missing in VMs) and DWARF call graphs (libc has no frame pointers).
# "children" is the time in a function and all it calls: rcfs_getattr, key_from_tid...
if [ "$PROFILE" = 1 ]; then
	if ! command -v perf >/dev/null; then
		log "perf not installed (package linux-perf): no profile"
	else
		mkdir -p "$OUT"
		for op in stat read; do
			log "profiling resolvconffs during a one-thread $op loop"
			perf record -q -F 1000 -e cpu-clock --call-graph dwarf,8192 \
				-o "$T/perf-$op.data" -p "$PID_rcfs" -- sleep 3.5 2>/dev/null &
			perf_pid=$!
			sleep 0.3
			"$LOAD" -o "$op" -R 1 -s 1.5 "${NSARGS[@]}" "rcfs:1:$T/rcfs.conf" >/dev/null
			wait "$perf_pid" || true
			{
				echo "# resolvconffs' CPU during a one-thread $op loop: children (user space)"
				perf report -i "$T/perf-$op.data" --children --sort sym --stdio -g none \
					--percent-limit 1 2>/dev/null | grep -E '^ +[0-9].*\[\.\] [a-zA-Z_]'
				echo "# self, kernel and user space"
				perf report -i "$T/perf-$op.data" --no-children --sort dso,sym --stdio \
					-g none --percent-limit 1 2>/dev/null | grep -E '^ +[0-9]'
			} >"$OUT/profile-$op.txt" || true
			rm -f "$T/perf-$op.data"
		done
	fi
fi

# ---- report
# What was measured: the commit, "+changes" when src/ differs from it (override with
# RCFS_BENCH_REV when RCFS_BIN was built elsewhere).
if [ -z "${RCFS_BENCH_REV:-}" ]; then
	RCFS_BENCH_REV=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
	git diff --quiet HEAD -- src 2>/dev/null || RCFS_BENCH_REV+="+changes"
fi
mkdir -p "$OUT"
python3 bench/report.py --raw "$RAW" --stats "$STATS" --mode "$MODE" --rounds "$ROUNDS" \
	--slice "$SLICE" --other-cpus "$OTHER_CPUS" --ks "${KS[*]}" --load-ns $LOAD_NS \
	--named "$NAMED" --marked "$MARKED" --rev "$RCFS_BENCH_REV" --nice "$NICE" \
	--daemons "${DAEMONS[*]}" --pin-cpu "$PIN_CPU" --out "$OUT" --name "$NAME" \
	--elapsed "$(elapsed)"
