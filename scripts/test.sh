#!/bin/bash
# The whole test suite, as CI runs it: a -Werror build runs the unit, fuzz-replay and
# integration tests (real mounts, real namespaces, one under valgrind), an ASan+UBSan build
# runs them again, each parser is fuzzed briefly with libFuzzer, and the sources are checked
# against .clang-format. Needs root and
# /dev/fuse; every skip is a failure here (RCFS_MUST_RUN=1). Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export RCFS_MUST_RUN=1
# Undefined behaviour fails the test that hits it (the daemon's log is checked as well).
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

passed=0
failed=0
record() { # record NAME OK|FAIL
	if [ "$2" = OK ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAILED: $1"
	fi
}

# run_suite LABEL BUILD_DIR MESON_OPTIONS...: configure, build, meson test, count results.
run_suite() {
	local label=$1 dir=$2 name result
	shift 2
	echo "=== $label: building in $dir"
	rm -rf "$dir"
	if ! meson setup "$dir" -Dwerror=true "$@" >"$dir.setup.log" 2>&1 ||
		! ninja -C "$dir" >"$dir.build.log" 2>&1; then
		cat "$dir.setup.log" "$dir.build.log" 2>/dev/null | tail -n 40
		record "$label build" FAIL
		return
	fi
	record "$label build" OK
	echo "=== $label: testing"
	meson test -C "$dir" --print-errorlogs --num-processes 2 | grep -E '^ *[0-9]+/[0-9]+ '
	while IFS=$'\t' read -r name result; do
		case "$result" in
		OK | EXPECTEDFAIL) record "$label $name" OK ;;
		*) record "$label $name ($result)" FAIL ;;
		esac
	done < <(python3 -c '
import json, sys
for line in open(sys.argv[1]):
    t = json.loads(line)
    print(t["name"] + "\t" + t["result"])
' "$dir/meson-logs/testlog.json")
}

run_suite gcc build-ci --buildtype=debugoptimized
RCFS_SANITIZED=1 run_suite asan+ubsan build-asan --buildtype=debug -Db_sanitize=address,undefined

echo "=== libFuzzer, 10 s per parser (scripts/fuzz.sh SECONDS runs them longer)"
rm -rf build-fuzz
for target in options link name mountinfo lint filter status; do
	if scripts/fuzz.sh 10 "$target"; then
		record "fuzz-$target" OK
	else
		record "fuzz-$target" FAIL
	fi
done

echo "=== cppcheck"
# memleak/resourceLeak: cppcheck does not know __attribute__((cleanup)) and reports every
# scope-bound free and close as a leak; ASan's LeakSanitizer and valgrind check leaks instead.
if cppcheck --enable=warning,performance,portability --inline-suppr --error-exitcode=1 --quiet \
	-I src -I build-ci -D_GNU_SOURCE --suppress=missingIncludeSystem --suppress=memleak \
	--suppress=resourceLeak src tests/soak tests/helpers; then
	record cppcheck OK
else
	record cppcheck FAIL
fi

echo "=== clang-format"
if git ls-files -z '*.c' '*.h' | xargs -0 clang-format --dry-run --Werror 2>&1 | head -n 20 | grep .; then
	record clang-format FAIL
else
	record clang-format OK
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
