#!/usr/bin/env bash
# Fuzz every harness with AFL++ (Debian's afl++), one at a time.
#
#   ci/afl.sh [seconds per harness, default 60] [harness...]
#
# Builds the afl preset: afl-clang-fast with AFL_USE_ASAN=1 AFL_USE_UBSAN=1
# (read by afl-cc at compile time, so they live in the build preset's
# environment), each fuzz_<name> linked with -fsanitize=fuzzer, which afl-cc
# turns into AFL++'s libFuzzer driver (libAFLDriver.a): persistent mode with
# the input in shared memory, the same LLVMFuzzerTestOneInput as every engine.
# Seeds come from corpus/<name>/seed (read only); the output directory is
# build/afl-work/<name>/ (a previous run is kept in <name>.prev/).
#
# Prints per harness: target mode (persistent or not), stability, execs/s,
# corpus size, crashes and hangs from fuzzer_stats, and the replay commands
# for each crash. Exits non-zero on any crash or if a harness did not run.
# Installs afl++ (and the build tools) when run as root.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$MMSIM_ROOT"

parse_fuzz_args "$@"

need cmake ninja clang asan afl

log "building the AFL++ harnesses (preset afl: afl-clang-fast, AFL_USE_ASAN=1 AFL_USE_UBSAN=1)"
targets=()
for h in "${harnesses[@]}"; do targets+=("fuzz_$h"); done
build_preset afl "${targets[@]}"
bindir=build/afl

# Containers and CI machines: no CPU governor to check, no core_pattern to
# fix, no curses UI. Sanitizer options: afl-fuzz's own defaults
# (abort_on_error=1, symbolize=0, malloc_context_size=0, ...); options set by
# hand here cost 2-3x in execs/s (an allocation stack per malloc).
export AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
unset ASAN_OPTIONS UBSAN_OPTIONS MSAN_OPTIONS

stat_of() { sed -n "s/^$1 *: *//p" "$2" | head -n 1; }

rows=()
repro=()
total_crashes=0
failed=0
for h in "${harnesses[@]}"; do
	out=build/afl-work/$h
	if [ -d "$out" ]; then
		rm -rf "$out.prev"
		mv "$out" "$out.prev"
	fi
	mkdir -p "$out"
	in=corpus/$h/seed
	if [ -z "$(find "$in" -maxdepth 1 -type f ! -name '.*' 2>/dev/null | head -n 1)" ]; then
		in=$out/empty-seed
		mkdir -p "$in"
		printf '\0' >"$in/zero"
	fi
	flags=(-i "$in" -o "$out" -V "$secs" -m none)
	[ -f "fuzz/$h.dict" ] && flags+=(-x "fuzz/$h.dict")
	log "afl-fuzz $h for ${secs}s: afl-fuzz ${flags[*]} -- $bindir/fuzz_$h"
	rc=0
	timeout --kill-after=30 $((secs + 300)) \
		afl-fuzz "${flags[@]}" -- "$bindir/fuzz_$h" >"$out/afl.log" 2>&1 || rc=$?
	stats=$out/default/fuzzer_stats
	if [ ! -f "$stats" ]; then
		failed=1
		tail -n 20 "$out/afl.log" | sed 's/^/    /'
		rows+=("$(printf '%-12s afl-fuzz failed (status %s), see %s' "$h" "$rc" "$out/afl.log")")
		continue
	fi
	aflver=$(stat_of afl_version "$stats")
	aflver=${aflver#++}
	tmode=$(stat_of target_mode "$stats")
	if grep -q 'Persistent mode binary detected' "$out/afl.log" || [[ $tmode == *persistent* ]]; then
		mode=persistent
	else
		mode=NOT-persistent
	fi
	stab=$(stat_of stability "$stats")
	eps=$(stat_of execs_per_sec "$stats")
	execs=$(stat_of execs_done "$stats")
	paths=$(stat_of corpus_count "$stats")
	[ -n "$paths" ] || paths=$(stat_of paths_total "$stats")
	ncrash=$(stat_of saved_crashes "$stats")
	[ -n "$ncrash" ] || ncrash=$(stat_of unique_crashes "$stats")
	nhang=$(stat_of saved_hangs "$stats")
	[ -n "$nhang" ] || nhang=$(stat_of unique_hangs "$stats")
	cvg=$(stat_of bitmap_cvg "$stats")
	rows+=("$(printf '%-12s %-14s %9s %10s %7s %8s %6s %9s %12s' "$h" "$mode" "${stab:-?}" "${eps:-?}" \
		"${paths:-?}" "${ncrash:-0}" "${nhang:-0}" "${cvg:-?}" "${execs:-?}")")
	[ "$mode" = persistent ] || failed=1
	mapfile -t crashes < <(find "$out/default/crashes" -maxdepth 1 -type f -name 'id:*' 2>/dev/null | sort)
	total_crashes=$((total_crashes + ${#crashes[@]}))
	for c in "${crashes[@]}"; do
		q=$(printf '%q' "$c")
		repro+=("$h: $c
    replay (AFL++ build, ASan+UBSan):  $bindir/fuzz_$h $q
    standalone replay + trace:         ci/reproduce.sh $h $q")
	done
done

echo
echo "AFL++ ${aflver:-?}, ${secs}s per harness, ASan+UBSan (logs: build/afl-work/<harness>/afl.log)"
printf '%-12s %-14s %9s %10s %7s %8s %6s %9s %12s\n' harness mode stability execs/s corpus crashes hangs bitmap execs
for r in "${rows[@]}"; do echo "$r"; done
if [ ${#repro[@]} -gt 0 ]; then
	echo
	echo "crashes (minimise with: afl-tmin -i <file> -o min -- $bindir/fuzz_<harness>):"
	for r in "${repro[@]}"; do echo "$r"; done
fi
echo
if [ "$total_crashes" -gt 0 ] || [ "$failed" -ne 0 ]; then
	msg="afl: $total_crashes crash(es)"
	[ "$failed" -eq 0 ] || msg="$msg; a harness did not run in persistent mode or afl-fuzz failed (see above)"
	echo "$msg"
	exit 1
fi
echo "afl: no crash"
