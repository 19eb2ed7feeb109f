#!/usr/bin/env bash
# Deliberate breaks: show that props catches each and shrinks it.
#
#   ci/breaks.sh [seconds, default 10] [name...]
#
# Every ci/breaks/<name>.patch is a wrong version of one rule. Its first
# line names the harness that must catch it (# harness: H), its second the
# rule it breaks (# breaks: ...), printed with the result; `head -2
# ci/breaks/*.patch` lists them all.
# For each, a scratch worktree of HEAD gets the patch, props
# is built there with ASan+UBSan (preset asan-ubsan: a break that reads out
# of bounds is caught even when the value read does not change an answer)
# and run with --seconds (as many inputs as fit); the break counts as caught
# when props fails (a difference, or a sanitizer report), and its shrunk
# trace is printed. The working tree is never touched. Exits non-zero if a
# break is not caught or a patch no longer applies.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$MMSIM_ROOT"

secs=${1:-10}
[ $# -gt 0 ] && shift
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
	for p in ci/breaks/*.patch; do
		n=${p##*/}
		names+=("${n%.patch}")
	done
fi

need cmake ninja clang asan

# a sanitizer report stops props at once (it then exits non-zero)
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=0
for name in "${names[@]}"; do
	patch=ci/breaks/$name.patch
	harness=$(sed -n '1s/^# harness: //p' "$patch")
	what=$(sed -n '2s/^# breaks: //p' "$patch")
	[ -n "$harness" ] && [ -n "$what" ] || { log "break $name: no '# harness:' and '# breaks:' lines"; failed=1; continue; }
	log "break $name: $what"
	wt=$(mktemp -d /tmp/mmsim-break-XXXXXX)
	git worktree add -q --detach "$wt" HEAD
	if ! git -C "$wt" apply "$MMSIM_ROOT/$patch"; then
		log "break $name: the patch no longer applies"
		failed=1
	else
		log "break $name: building props with the patch (preset asan-ubsan)"
		(cd "$wt" && cmake --preset asan-ubsan >/dev/null &&
			cmake --build build/asan-ubsan -j "$NPROC" --target props >/dev/null)
		log "break $name: props --harness $harness --seconds $secs --seed 1"
		if (cd "$wt" && build/asan-ubsan/props --harness "$harness" --seconds "$secs" --seed 1 \
			--out "$wt/failures"); then
			log "break $name: NOT caught"
			failed=1
		fi
	fi
	git worktree remove --force "$wt"
done
exit $failed
