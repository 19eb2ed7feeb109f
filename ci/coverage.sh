#!/usr/bin/env bash
# Source-based coverage (llvm-cov) of lib/*.c reached by the fuzz corpora and
# the property runs.
#
#   ci/coverage.sh [--all]
#
# Builds the coverage preset, then with LLVM_PROFILE_FILE set replays, for
# every harness, corpus/<h>/seed, corpus/<h>/regress and the local fuzzing
# corpora when present (build/fuzz-work/<h>/corpus from ci/fuzz.sh,
# build/afl-work/<h>/default/queue from ci/afl.sh), and runs
# `props --harness <h> --trials $MMSIM_COV_TRIALS (default 2000) --seed 1`.
# --all also runs every ctest test (unit and scenario tests included).
# Prints llvm-cov's line/branch/function/region table per lib/*.c file and
# writes an HTML report to build/coverage/html/index.html.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$MMSIM_ROOT"

all=0
case ${1:-} in
--all) all=1 ;;
'') ;;
*) die "usage: ci/coverage.sh [--all]" ;;
esac

need cmake ninja clang llvm
major=$(clang_major)
profdata=llvm-profdata-$major
cov=llvm-cov-$major
command -v "$profdata" >/dev/null 2>&1 || profdata=llvm-profdata
command -v "$cov" >/dev/null 2>&1 || cov=llvm-cov

log "building the coverage preset"
build_preset coverage
b=build/coverage
profdir=$b/profiles
rm -rf "$profdir" "$b/html"
mkdir -p "$profdir"
export LLVM_PROFILE_FILE="$MMSIM_ROOT/$profdir/%p-%m.profraw"

mapfile -t harnesses < <(all_harnesses)
objects=("$b/props")
status=0
for h in "${harnesses[@]}"; do
	objects+=("$b/fuzz_$h")
	dirs=()
	for d in "corpus/$h/seed" "corpus/$h/regress" "build/fuzz-work/$h/corpus" "build/afl-work/$h/default/queue"; do
		[ -d "$d" ] && dirs+=("$d")
	done
	log "replaying $h: ${dirs[*]}"
	"$b/fuzz_$h" "${dirs[@]}" >/dev/null 2>"$b/replay-$h.log" || {
		echo "    replay of $h failed (see $b/replay-$h.log); its profile is incomplete"
		status=1
	}
	log "props --harness $h --trials ${MMSIM_COV_TRIALS:-2000} --seed 1"
	"$b/props" --harness "$h" --trials "${MMSIM_COV_TRIALS:-2000}" --seed 1 \
		--out "$b/props-failures" >"$b/props-$h.log" 2>&1 || {
		echo "    props found a failure in $h (see $b/props-$h.log)"
		status=1
	}
done
if [ "$all" = 1 ]; then
	log "ctest (every test)"
	ctest --preset coverage -j "$NPROC" >"$b/ctest.log" 2>&1 || {
		echo "    ctest failed (see $b/ctest.log)"
		status=1
	}
	while IFS= read -r t; do objects+=("$t"); done < <(find "$b/tests" -maxdepth 1 -type f -name 'test_*' -perm -u+x | sort)
fi

"$profdata" merge -sparse "$profdir"/*.profraw -o "$b/mmsim.profdata"
objargs=("${objects[0]}")
for o in "${objects[@]:1}"; do objargs+=(-object "$o"); done
mapfile -t sources < <(find "$MMSIM_ROOT/lib" -maxdepth 1 -name '*.c' | sort)
"$cov" show "${objargs[@]}" -instr-profile="$b/mmsim.profdata" -format=html \
	-show-branches=count -output-dir="$b/html" "${sources[@]}" >/dev/null
echo
if [ "$all" = 1 ]; then
	echo "coverage of lib/*.c by the corpora, props runs and every ctest test:"
else
	echo "coverage of lib/*.c by the fuzz corpora and props runs (ci/coverage.sh --all adds the unit/scenario tests):"
fi
if command -v python3 >/dev/null 2>&1; then
	"$cov" export "${objargs[@]}" -instr-profile="$b/mmsim.profdata" -summary-only "${sources[@]}" \
		| python3 -c '
import json, os, sys
root = sys.argv[1]
data = json.load(sys.stdin)["data"][0]
def cell(s):
    return "%6.1f%% %6d/%-6d" % (s["percent"], s["covered"], s["count"]) if s["count"] else "     -              "
print("%-24s %-21s %-21s %-21s %-21s" % ("file", "lines", "branches", "functions", "regions"))
rows = sorted(data["files"], key=lambda f: f["filename"]) + [{"filename": "TOTAL", "summary": data["totals"]}]
for f in rows:
    s = f["summary"]
    print("%-24s %s %s %s %s" % (os.path.relpath(f["filename"], root) if f["filename"] != "TOTAL" else "TOTAL",
          cell(s["lines"]), cell(s["branches"]), cell(s["functions"]), cell(s["regions"])))
' "$MMSIM_ROOT"
else
	"$cov" report "${objargs[@]}" -instr-profile="$b/mmsim.profdata" "${sources[@]}"
fi
echo
echo "HTML: $b/html/index.html"
exit "$status"
