#!/usr/bin/env bash
# Fuzz every harness locally with libFuzzer + ASan + UBSan, one at a time.
#
#   ci/fuzz.sh [seconds per harness, default 60] [harness...]
#
# Harnesses default to every fuzz/fuzz_<name>.c. Each runs in
# build/fuzz-work/<name>/: corpus/ starts as a copy of corpus/<name>/seed and
# corpus/<name>/regress (the committed dirs are never written) and keeps
# growing across runs; crashes/ gets the crashing inputs. The dictionary
# fuzz/<name>.dict and the [libfuzzer] section of fuzz/<name>.options are
# used, as OSS-Fuzz would. One job per harness so exec/s means something.
#
# MMSIM_FUZZ_FRESH=1 starts each work corpus afresh from the committed inputs.
# ASAN_OPTIONS defaults to malloc_context_size=0 (no allocation stack per
# malloc, as AFL++ does; ci/reproduce.sh shows the full stacks of a crash).
#
# Prints one row per harness (execs/s, operations/s and operations per input
# from the fuzz entry's stat::mmsim_* lines at exit, coverage, corpus size,
# crashes) and,
# for each crash, the commands that replay it. Exits non-zero on any crash.
# Installs missing Debian packages when run as root.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$MMSIM_ROOT"

parse_fuzz_args "$@"

need cmake ninja clang fuzzer

log "building the libFuzzer harnesses (preset libfuzzer)"
targets=(props)
for h in "${harnesses[@]}"; do targets+=("fuzz_$h"); done
build_preset libfuzzer "${targets[@]}"

bindir=build/libfuzzer
export ASAN_OPTIONS=${ASAN_OPTIONS:-malloc_context_size=0}

# [libfuzzer] key = value lines of an .options file, as -key=value flags.
options_flags() {
	local f=$1 line key val section=
	[ -f "$f" ] || return 0
	while IFS= read -r line || [ -n "$line" ]; do
		line=${line%%#*}
		line=$(printf '%s' "$line" | tr -d '[:space:]')
		case $line in
		'') ;;
		\[*\]) section=${line#[}; section=${section%]} ;;
		*=*)
			[ "$section" = libfuzzer ] || continue
			key=${line%%=*}
			val=${line#*=}
			printf -- '-%s=%s\n' "$key" "$val"
			;;
		esac
	done <"$f"
}

rows=()
repro=()
total_crashes=0
failed=0
for h in "${harnesses[@]}"; do
	work=build/fuzz-work/$h
	[ "${MMSIM_FUZZ_FRESH:-0}" = 1 ] && rm -rf "$work/corpus"
	mkdir -p "$work/corpus" "$work/crashes"
	for d in seed regress; do
		[ -d "corpus/$h/$d" ] || continue
		for f in "corpus/$h/$d"/*; do
			[ -f "$f" ] && [ ! -e "$work/corpus/${f##*/}" ] && cp "$f" "$work/corpus/"
		done
	done
	flags=()
	[ -f "fuzz/$h.dict" ] && flags+=("-dict=fuzz/$h.dict")
	mapfile -t -O ${#flags[@]} flags < <(options_flags "fuzz/$h.options")
	flags+=(-max_total_time="$secs" -print_final_stats=1 -fork=0
		-artifact_prefix="$work/crashes/")
	stamp=$work/.started
	: >"$stamp"
	sleep 1 # crash files must be strictly newer than the stamp
	log "fuzzing $h for ${secs}s: $bindir/fuzz_$h $work/corpus ${flags[*]}"
	rc=0
	timeout --kill-after=30 $((secs + 300)) \
		"$bindir/fuzz_$h" "$work/corpus" "${flags[@]}" >"$work/fuzz.log" 2>&1 || rc=$?
	grep -E '^stat::(average_exec_per_sec|mmsim_ops_per_sec|mmsim_ops_per_input|peak_rss_mb)' \
		"$work/fuzz.log" | sed 's/^/    /' || true

	log_status=$(grep -E '^#[0-9]+.*cov: [0-9]+' "$work/fuzz.log" | tail -n 1 || true)
	cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$log_status")
	ft=$(sed -n 's/.*ft: \([0-9]*\).*/\1/p' <<<"$log_status")
	eps=$(sed -n 's/^stat::average_exec_per_sec: *\([0-9]*\).*/\1/p' "$work/fuzz.log" | tail -n 1)
	[ -n "$eps" ] || eps=$(sed -n 's/.*exec\/s: \([0-9]*\).*/\1/p' <<<"$log_status")
	execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$work/fuzz.log" | tail -n 1)
	# printed by props_fuzz_one's exit hook, after libFuzzer's own stats
	ops_s=$(sed -n 's/^stat::mmsim_ops_per_sec: *\([0-9]*\).*/\1/p' "$work/fuzz.log" | tail -n 1)
	ops_in=$(sed -n 's/^stat::mmsim_ops_per_input: *\([0-9.]*\).*/\1/p' "$work/fuzz.log" | tail -n 1)
	ncorpus=$(find "$work/corpus" -maxdepth 1 -type f | wc -l)
	mapfile -t crashes < <(find "$work/crashes" -maxdepth 1 -type f -newer "$stamp" \
		\( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | sort)
	rm -f "$stamp"
	total_crashes=$((total_crashes + ${#crashes[@]}))
	if [ ${#crashes[@]} -eq 0 ] && [ "$rc" -ne 0 ]; then
		failed=1
		repro+=("$h: the fuzzer exited with status $rc and left no crash file; see $work/fuzz.log")
	fi
	rows+=("$(printf '%-12s %10s %10s %8s %8s %8s %8s %8s %12s' "$h" "${eps:-?}" "${ops_s:-?}" \
		"${ops_in:-?}" "${cov:-?}" "${ft:-?}" "$ncorpus" "${#crashes[@]}" "${execs:-?}")")
	for c in "${crashes[@]}"; do
		repro+=("$h: $c
    replay (libFuzzer+ASan+UBSan):  $bindir/fuzz_$h $c
    readable trace and result:      $bindir/props --trace $h $c
    standalone replay + trace:      ci/reproduce.sh $h $c")
	done
done

echo
echo "libFuzzer, ${secs}s per harness, one job, ASan+UBSan (logs: build/fuzz-work/<harness>/fuzz.log)"
printf '%-12s %10s %10s %8s %8s %8s %8s %8s %12s\n' harness execs/s ops/s ops/in cov ft corpus \
	crashes execs
for r in "${rows[@]}"; do echo "$r"; done
if [ ${#repro[@]} -gt 0 ]; then
	echo
	echo "crashes (minimise with: <binary> -minimize_crash=1 -runs=10000 <file>; then add it to corpus/<harness>/regress/):"
	for r in "${repro[@]}"; do echo "$r"; done
fi
echo
if [ "$total_crashes" -gt 0 ] || [ "$failed" -ne 0 ]; then
	echo "fuzz: $total_crashes crash(es)"
	exit 1
fi
echo "fuzz: no crash"
