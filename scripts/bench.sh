#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The benchmark (README "Performance"). Measures, in one run, three subjects side by side:
#   native  a plain file on tmpfs: the physical floor;
#   floor   bench/floorfs, a FUSE daemon with resolvconffs' mount options that does no work:
#           what any FUSE daemon pays;
#   rcfs    resolvconffs, serving 8 namespaces from backing files on tmpfs;
# for stat, open+read(4 KiB)+close and open(O_TRUNC)+write(128 B)+close, with 1 and 4 caller
# threads spread over 8 network namespaces (bench/bench-load.c). Then how resolvconffs scales
# with the number K of namespaces it has served (1, 100, 1,000, 10,000): latency from one
# namespace, RSS, open fds, threads. Prints a table with the targets as PASS/MISS; writes
# bench/results/latest.{txt,json,png} (--quick: quick.*).
#
# Other work may share the machine (the test suite on 2 cores), so every measurement is
# repeated in rounds, the subjects interleaved within each round in a rotating order, and the
# report takes medians; ratios are medians of per-round ratios, so both sides of a ratio were
# measured seconds apart under the same noise.
#
# Root and /dev/fuse. Everything runs in a private mount namespace on a tmpfs: the namespaces
# are anonymous (bind-mounted onto files there), so ending the run frees them all; only
# processes started here are killed. Exit 77 (skip) without root or /dev/fuse.
#
#   scripts/bench.sh [--quick] [--rounds N] [--profile] [--out DIR]
#
# Binaries: $RCFS_BIN and $RCFS_BENCH_BIN (meson benchmark sets them), else built in
# build-bench.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
	echo "usage: scripts/bench.sh [--quick] [--rounds N] [--profile] [--out DIR]" >&2
	exit 2
}

ARGS=("$@") # for the re-run inside the private mount namespace
MODE=full
ROUNDS=
PROFILE=0
OUT=
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) MODE=quick ;;
	--rounds) ROUNDS=${2:?}; shift ;;
	--profile) PROFILE=1 ;;
	--out) OUT=${2:?}; shift ;;
	-h | --help) usage ;;
	*) usage ;;
	esac
	shift
done

# Seconds counted per measurement (after a warm-up), and rounds. Full: under 10 minutes;
# quick: under 90 seconds, still every subject, operation and K.
if [ "$MODE" = quick ]; then
	SECS=0.25 WARMUP=0.05 ROUNDS=${ROUNDS:-7}
else
	SECS=1 WARMUP=0.2 ROUNDS=${ROUNDS:-9}
fi
KS=(1 100 1000 10000)
K_MAX=${KS[${#KS[@]} - 1]}
LOAD_NS=8 # the namespaces the operation table's callers are spread over

if [ -z "${RCFS_BENCH_INSIDE:-}" ]; then
	export RCFS_BENCH_T0=$(date +%s)
	[ "$(id -u)" = 0 ] || { echo "bench: needs root" >&2; exit 77; }
	[ -c /dev/fuse ] || { echo "bench: needs /dev/fuse" >&2; exit 77; }
	if [ -z "${RCFS_BIN:-}" ]; then
		[ -d build-bench ] || meson setup build-bench >/dev/null
		ninja -C build-bench >/dev/null
		export RCFS_BIN=$PWD/build-bench/resolvconffs RCFS_BENCH_BIN=$PWD/build-bench/bench
	fi
	export RCFS_BENCH_INSIDE=1
	exec unshare --mount --propagation private -- bash "$0" "${ARGS[@]}"
fi

: "${RCFS_BENCH_BIN:=$(dirname "$RCFS_BIN")/bench}"
OUT=${OUT:-$PWD/bench/results}
NAME=$([ "$MODE" = quick ] && echo quick || echo latest)
LOAD=$RCFS_BENCH_BIN/bench-load
NSTOOL=$RCFS_BENCH_BIN/bench-ns

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
	for p in "${RESTORE[@]}"; do
		echo "${p#* }" >"${p%% *}"
	done
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The one tmpfs everything lives on: 11,109 backing files of 4 KiB fit in 64 MiB.
mount -t tmpfs -o mode=755,size=256m rcfs-bench "$T"
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
raise_limit /proc/sys/fs/mount-max $(($(wc -l </proc/self/mountinfo) + K_MAX + 100))

elapsed() { echo $(($(date +%s) - RCFS_BENCH_T0)); }
log() { printf '[%3ss] %s\n' "$(elapsed)" "$*" >&2; }

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

# rcfs_daemon NAME K: resolvconffs over $T/NAME.conf, with backing files for namespaces
# 0..K-1 that have each read through the mount once (and got their own file: checked).
rcfs_daemon() {
	local name=$1 k=$2
	mkdir -m 755 "$T/$name.backing"
	"$NSTOOL" fill "$T/$name.conf"
	start "$name" "$RCFS_BIN" "$T/$name.backing" "$T/$name.conf"
	"$NSTOOL" files "$T/ns" 0 "$k" "$T/$name.backing"
	"$NSTOOL" read "$T/ns" 0 "$k" "$T/$name.conf"
}

# ---- set-up
log "creating $K_MAX network namespaces"
"$NSTOOL" create "$T/ns" 0 "$K_MAX"
NSFILES=()
for ((i = 0; i < LOAD_NS; i++)); do
	NSFILES+=("$T/ns/$i")
done

"$NSTOOL" fill "$T/native.conf"
"$NSTOOL" fill "$T/floor.conf"
start floor "$RCFS_BENCH_BIN/floorfs" "$T/floor.conf"
rcfs_daemon rcfs $LOAD_NS
# One resolvconffs per K, all alive at once, so the K are measured interleaved in the same
# rounds like everything else: daemon kK has served exactly K namespaces.
for k in "${KS[@]}"; do
	log "resolvconffs with K=$k namespaces read through it"
	rcfs_daemon "k$k" "$k"
done

# measure SECTION SUBJECT OP THREADS K ROUND FILE NSFILE...: one bench-load run, one line.
RAW=$T/raw.tsv
measure() {
	local section=$1 subject=$2 op=$3 threads=$4 k=$5 round=$6 file=$7 line
	shift 7
	line=$("$LOAD" -o "$op" -t "$threads" -s "$SECS" -w "$WARMUP" "$file" "$@") ||
		{ echo "bench: bench-load failed on $subject ($op, $threads threads)" >&2; exit 1; }
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$section" "$subject" "$op" "$threads" "$k" \
		"$round" "$line" >>"$RAW"
}

# The write runs truncate files to 128 bytes; reads must keep reading 4 KiB.
refill() {
	"$NSTOOL" fill "$T/native.conf"
	"$NSTOOL" files "$T/ns" 0 $LOAD_NS "$T/rcfs.backing"
}

# rotated N ITEMS...: ITEMS rotated left by N (each round starts with another subject).
rotated() {
	local n=$(($1 % ($# - 1)))
	shift
	echo "${@:n+1}" "${@:1:n}"
}

# ---- rounds
SUBJECTS=(native floor rcfs)
SCALE_SUBJECTS=(floor)
for k in "${KS[@]}"; do
	SCALE_SUBJECTS+=("k$k")
done
for ((round = 1; round <= ROUNDS; round++)); do
	log "round $round/$ROUNDS"
	for op in stat read write; do
		for threads in 1 4; do
			for s in $(rotated "$round" "${SUBJECTS[@]}"); do
				measure ops "$s" "$op" "$threads" $LOAD_NS "$round" "$T/$s.conf" \
					"${NSFILES[@]}"
				[ "$op" != write ] || refill
			done
		done
	done
	# Scaling: latency of one caller in one namespace (namespace 0: every kK serves it).
	for op in stat read; do
		for s in $(rotated "$round" "${SCALE_SUBJECTS[@]}"); do
			k=${s#k}
			[ "$s" != floor ] || k=0
			measure scale "$s" "$op" 1 "$k" "$round" "$T/$s.conf" "$T/ns/0"
		done
	done
done

# ---- what each daemon holds after all that: RSS, open fds, threads
STATS=$T/stats.tsv
for s in floor rcfs "${SCALE_SUBJECTS[@]:1}"; do
	pid_var=PID_$s
	pid=${!pid_var}
	printf '%s\t%s\t%s\t%s\t%s\n' "$s" \
		"$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")" \
		"$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status")" \
		"$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 | wc -l)" \
		"$(awk '/^Threads:/ { print $2 }' "/proc/$pid/status")" >>"$STATS"
done

# ---- optional: where resolvconffs' time goes (perf, software clock: works in VMs too)
if [ "$PROFILE" = 1 ]; then
	if ! command -v perf >/dev/null; then
		log "perf not installed (package linux-perf): no profile"
	else
		for op in stat read; do
			log "profiling resolvconffs during a $op loop"
			perf record -q -e cpu-clock -g -o "$T/perf-$op.data" -p "$PID_rcfs" -- \
				sleep $((2 * ${SECS%.*} + 2)) 2>/dev/null &
			perf_pid=$!
			sleep 0.3
			"$LOAD" -o "$op" -t 1 -s $((2 * ${SECS%.*} + 1)) "$T/rcfs.conf" "${NSFILES[@]}" \
				>/dev/null
			wait "$perf_pid" || true
			mkdir -p "$OUT"
			perf report -i "$T/perf-$op.data" --no-children --sort dso,sym --stdio \
				--percent-limit 0.5 2>/dev/null | grep -E '^ +[0-9]' \
				>"$OUT/profile-$op.txt" || true
			perf report -i "$T/perf-$op.data" --children --sort sym --stdio -g none \
				--percent-limit 2 2>/dev/null | grep -E '^ +[0-9]' \
				>"$OUT/profile-$op-children.txt" || true
		done
	fi
fi

# ---- report
mkdir -p "$OUT"
python3 bench/report.py --raw "$RAW" --stats "$STATS" --mode "$MODE" --rounds "$ROUNDS" \
	--secs "$SECS" --ks "${KS[*]}" --load-ns $LOAD_NS --out "$OUT" --name "$NAME" \
	--elapsed "$(elapsed)"
