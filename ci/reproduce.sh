#!/usr/bin/env bash
# Reproduce one input of a harness with a readable trace.
#
#   ci/reproduce.sh <harness> <file>
#
# Builds the asan-ubsan preset if needed, replays the file with the standalone
# fuzz_<harness> binary (ASan+UBSan, MMSIM_TRACE=1: every operation's trace
# line), then prints `props --trace <harness> <file>`: the decoded program,
# each operation's result and the failure, if any. Works for libFuzzer and
# AFL++ crash files, corpus entries and props' minimised inputs alike.
# Exits with the replay's status.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

[ $# -eq 2 ] || die "usage: ci/reproduce.sh <harness> <file>"
h=$1
file=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
[ -f "$file" ] || die "no such file: $2"
cd "$MMSIM_ROOT"
[ -f "fuzz/fuzz_$h.c" ] || die "unknown harness '$h' (no fuzz/fuzz_$h.c)"

need cmake ninja clang asan
build_preset asan-ubsan "fuzz_$h" props

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
log "MMSIM_TRACE=1 build/asan-ubsan/fuzz_$h $file"
rc=0
MMSIM_TRACE=1 "build/asan-ubsan/fuzz_$h" "$file" || rc=$?
echo
log "build/asan-ubsan/props --trace $h $file"
build/asan-ubsan/props --trace "$h" "$file" || true
echo
if [ "$rc" -eq 0 ]; then
	log "the input passes (replay exit status 0)"
else
	log "the input fails (replay exit status $rc); to keep it as a regression test:"
	echo "    cp '$file' corpus/$h/regress/<date>-<what>   # then: ctest --preset asan-ubsan -R corpus.$h.regress"
fi
exit "$rc"
