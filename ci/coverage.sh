#!/usr/bin/env bash
# Source-based coverage (llvm-cov) of lib/*.c reached by the fuzz corpora and
# the property runs.
#
#   ci/coverage.sh [--all] [--committed] [--floor-lines P] [--floor-branches P]
#
# Builds the coverage preset, then with LLVM_PROFILE_FILE set replays, for
# every harness, corpus/<h>/seed, corpus/<h>/regress and the local fuzzing
# corpora when present (build/fuzz-work/<h>/corpus from ci/fuzz.sh,
# build/afl-work/<h>/default/queue from ci/afl.sh), and runs
# `props --harness <h> --trials $MMSIM_COV_TRIALS (default 2000) --seed 1`.
# --all also runs every ctest test (unit and scenario tests included).
# --committed leaves the local fuzzing corpora out: only what a clean clone
# has counts (docs/coverage.md's never-taken rows are made this way, so a
# row does not depend on what a local fuzzer happened to find).
# Prints llvm-cov's line/branch/function/region table per lib/*.c file and
# writes an HTML report to build/coverage/html/index.html.
#
# Floors: the run fails (exit 1) when the total line or branch coverage of
# lib/ is under its floor, in percent. With --all the floors default to
# what the whole test suite reaches (rounded down), so a change that leaves
# code unreached fails; without --all they default to 0 (the corpora and
# props alone reach less). --floor-lines 0 --floor-branches 0 turns them off.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$MMSIM_ROOT"

MMSIM_COV_FLOOR_LINES_ALL=97
MMSIM_COV_FLOOR_BRANCHES_ALL=90
usage="usage: ci/coverage.sh [--all] [--committed] [--floor-lines P] [--floor-branches P]"
all=0
committed=0
floor_lines=
floor_branches=
while [ $# -gt 0 ]; do
	case $1 in
	--all) all=1 ;;
	--committed) committed=1 ;;
	--floor-lines | --floor-branches)
		[ $# -ge 2 ] && [[ $2 =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "$1 takes a percentage; $usage"
		if [ "$1" = --floor-lines ]; then floor_lines=$2; else floor_branches=$2; fi
		shift
		;;
	*) die "$usage" ;;
	esac
	shift
done
if [ "$all" = 1 ]; then
	floor_lines=${floor_lines:-$MMSIM_COV_FLOOR_LINES_ALL}
	floor_branches=${floor_branches:-$MMSIM_COV_FLOOR_BRANCHES_ALL}
else
	floor_lines=${floor_lines:-0}
	floor_branches=${floor_branches:-0}
fi

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
		[ "$committed" = 1 ] && [[ $d == build/* ]] && continue
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
need_python=1
command -v python3 >/dev/null 2>&1 || need_python=0
if [ "$need_python" = 1 ]; then
	floor_status=0
	"$cov" export "${objargs[@]}" -instr-profile="$b/mmsim.profdata" -summary-only "${sources[@]}" \
		| python3 -c '
import json, os, sys
root, floor_lines, floor_branches = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
data = json.load(sys.stdin)["data"][0]
def cell(s):
    return "%6.1f%% %6d/%-6d" % (s["percent"], s["covered"], s["count"]) if s["count"] else "     -              "
print("%-24s %-21s %-21s %-21s %-21s" % ("file", "lines", "branches", "functions", "regions"))
rows = sorted(data["files"], key=lambda f: f["filename"]) + [{"filename": "TOTAL", "summary": data["totals"]}]
for f in rows:
    s = f["summary"]
    print("%-24s %s %s %s %s" % (os.path.relpath(f["filename"], root) if f["filename"] != "TOTAL" else "TOTAL",
          cell(s["lines"]), cell(s["branches"]), cell(s["functions"]), cell(s["regions"])))
t = data["totals"]
# the exact ratio, not the rounded percentage, is compared with the floor
lines = 100.0 * t["lines"]["covered"] / max(t["lines"]["count"], 1)
branches = 100.0 * t["branches"]["covered"] / max(t["branches"]["count"], 1)
print()
bad = 0
for what, got, floor in (("lines", lines, floor_lines), ("branches", branches, floor_branches)):
    ok = got >= floor
    bad |= not ok
    print("%-8s %7.3f%% of lib/, floor %g%%: %s" % (what, got, floor, "ok" if ok else "UNDER THE FLOOR"))
sys.exit(1 if bad else 0)
' "$MMSIM_ROOT" "$floor_lines" "$floor_branches" || floor_status=1
	# every branch outcome never taken, for docs/coverage.md
	"$cov" export "${objargs[@]}" -instr-profile="$b/mmsim.profdata" "${sources[@]}" \
		| python3 -c '
import json, os, sys
for f in sorted(json.load(sys.stdin)["data"][0]["files"], key=lambda f: f["filename"]):
    src = open(f["filename"]).read().split("\n")
    miss = {}
    for line, col, _, _, t, fa in (b[:6] for b in f["branches"]):
        if not t or not fa:
            miss.setdefault(line, []).append("%d%s%s" % (col, "" if t else "T", "" if fa else "F"))
    for line in sorted(miss):
        print("%s:%d %s  %s" % (os.path.basename(f["filename"]), line, " ".join(miss[line]), src[line - 1].strip()))
' >"$b/uncovered-branches.txt"
	echo "branch outcomes never taken: $(wc -l <"$b/uncovered-branches.txt") lines in $b/uncovered-branches.txt (column + T/F never taken)"
	if [ "$floor_status" = 1 ]; then
		echo "    coverage under the floor (docs/coverage.md lists what no input reaches)"
		status=1
	fi
else
	"$cov" report "${objargs[@]}" -instr-profile="$b/mmsim.profdata" "${sources[@]}"
	if [ "$floor_lines" != 0 ] || [ "$floor_branches" != 0 ]; then
		echo "    python3 is needed to check the coverage floors"
		status=1
	fi
fi
echo
echo "HTML: $b/html/index.html"
exit "$status"
