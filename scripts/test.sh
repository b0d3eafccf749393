#!/bin/bash
# The whole test suite, as CI runs it: a -Werror build runs the unit, fuzz-replay and
# integration tests (real mounts, real namespaces, one under valgrind), an ASan+UBSan build
# runs them again, each parser is fuzzed briefly with libFuzzer, and the sources are checked
# against .clang-format; last, scripts/test-vm.sh boots Debian 12 (its kernel 6.1, systemd)
# in qemu and runs the .deb, the unit and the suite there. Needs root and
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

# Last: the longest phase. Its checks count here one by one; a KDIFF (a kernel difference
# on 6.1, named with its reason) counts as passed.
echo "=== Debian 12 VM (scripts/test-vm.sh): the .deb, the unit and the suite on Debian's kernel"
scripts/test-vm.sh 2>&1 | sed -u 's/^\([0-9]* passed, [0-9]* failed\)$/vm: \1/' | tee build-vm.log
vm_rc=${PIPESTATUS[0]}
vm_failed=0
while IFS= read -r line; do
	case "$line" in
	"vm: PASS "* | "vm: KDIFF "*) record "$line" OK ;;
	"vm: FAIL "*)
		record "vm ${line#vm: FAIL }" FAIL
		vm_failed=1
		;;
	esac
done <build-vm.log
if [ "$vm_rc" != 0 ] && [ "$vm_failed" = 0 ]; then
	record "vm (scripts/test-vm.sh exited $vm_rc: $(grep '^test-vm: ' build-vm.log | tail -n 1))" FAIL
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
