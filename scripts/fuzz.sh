#!/bin/bash
# Builds the libFuzzer targets with clang (ASan+UBSan) and runs each for SECONDS (default 60),
# starting from the seed corpus in tests/fuzz/corpus/. New inputs go to a scratch corpus,
# crashes to build-fuzz/crashes/. Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(options link name mountinfo lint filter status)

if [ ! -f build-fuzz/build.ninja ]; then
	CC=clang meson setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined \
		-Db_lundef=false --buildtype=debugoptimized >build-fuzz.setup.log 2>&1 ||
		{ cat build-fuzz.setup.log; exit 1; }
fi
ninja -C build-fuzz $(printf 'tests/fuzz-%s ' "${targets[@]}") >/dev/null
mkdir -p build-fuzz/crashes
rc=0
for t in "${targets[@]}"; do
	work=build-fuzz/corpus-$t
	mkdir -p "$work"
	echo "fuzz-$t: ${seconds}s"
	if ! "build-fuzz/tests/fuzz-$t" -max_total_time="$seconds" -close_fd_mask=3 \
		-artifact_prefix="build-fuzz/crashes/$t-" "$work" "tests/fuzz/corpus/$t" \
		>"build-fuzz/fuzz-$t.log" 2>&1; then
		echo "fuzz-$t: FAILED (see build-fuzz/fuzz-$t.log)"
		tail -n 30 "build-fuzz/fuzz-$t.log"
		rc=1
	else
		grep -E "^(#[0-9]+\s+DONE|Done)" "build-fuzz/fuzz-$t.log" | tail -n 1 || true
	fi
done
exit $rc
