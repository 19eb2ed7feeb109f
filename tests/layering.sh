#!/bin/sh
# The layering, checked (ctest unit.layering):
#
#   1. lib/ includes nothing from props/, fuzz/ or tests/: every quoted
#      include of a lib/ file names a header of lib/ or lib/include/.
#   2. props/ includes nothing from fuzz/ or tests/ and never lib/internal.h:
#      only props/ headers and the public lib/include/mmsim/ ones.
#      fuzz/ and bench/ likewise (fuzz/ may use props/); tests/ may use
#      props/ and the public headers, and lib/internal.h in exactly one file,
#      tests/test_verify.c (white-box: it corrupts struct mm_page fields to
#      prove each mm_verify check fires; lib/internal.h says so too).
#   3. The core never calls a stage: the objects of the core files
#      (lib/machine.c, lib/phys.c, lib/memmap.c, lib/host.c) reference no function that
#      a stage object (every other lib/*.c) defines, found with nm on the
#      built library. One exception, by construction: machine.c's stage
#      table creates, destroys and verifies every stage, so machine.c may
#      reference mm_<stage>_init/_destroy/_verify of the stages that
#      lib/internal.h declares with MM_STAGE_DECLARE, and nothing else.
#
# An include is "quoted" (#include "x"); x must be a plain file name or
# mmsim/name (no directories, no ..), found where the rules above allow.
#
# usage: layering.sh SOURCE_DIR NM LIBMMSIM_ARCHIVE
set -u
src=$1
nm=${2:-nm}
archive=$3
fail=0
bad() {
	echo "layering: $*" >&2
	fail=1
}

# check_includes FILE DIR... : every quoted include of FILE is a plain name
# (or mmsim/name) found in one of DIRs (relative to $src).
check_includes() {
	f=$1
	shift
	for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$src/$f"); do
		case $inc in
		*..* | /* | mmsim/*/*) bad "$f includes \"$inc\": a path, not a header name"; continue ;;
		mmsim/*) ;;
		*/*) bad "$f includes \"$inc\": a path, not a header name"; continue ;;
		esac
		found=
		for d in "$@"; do
			if [ -f "$src/$d/$inc" ]; then
				found=$d
				break
			fi
		done
		if [ -z "$found" ]; then
			bad "$f includes \"$inc\", which is not in $*"
		fi
	done
	# angle includes cannot reach another tree either
	if grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*<\(\.\./\)*\(props\|fuzz\|tests\|lib\)/' "$src/$f" >/dev/null; then
		bad "$f includes <...> from another tree of the repository"
	fi
}

cd "$src" || exit 2
nfiles=0
for f in lib/*.c lib/*.h lib/include/mmsim/*.h; do
	nfiles=$((nfiles + 1))
	check_includes "$f" "$(dirname "$f")" lib/include
done
for f in props/*.c props/*.h; do
	nfiles=$((nfiles + 1))
	check_includes "$f" props lib/include
done
for f in fuzz/*.c; do
	nfiles=$((nfiles + 1))
	check_includes "$f" fuzz props lib/include
done
for f in bench/*.c; do
	nfiles=$((nfiles + 1))
	check_includes "$f" bench lib/include
done
for f in tests/*.c tests/*.h; do
	nfiles=$((nfiles + 1))
	if [ "$f" = tests/test_verify.c ]; then
		check_includes "$f" tests props lib/include lib
	else
		check_includes "$f" tests props lib/include
	fi
done
# internal.h's own note of the exception must still be there
grep -q 'test_verify' lib/internal.h || bad "lib/internal.h no longer names its one white-box user, tests/test_verify.c"

# 3. the core calls no stage function
stages=$(sed -n 's/^MM_STAGE_DECLARE(\([a-z0-9_]*\))$/\1/p' lib/internal.h)
[ -n "$stages" ] || bad "no MM_STAGE_DECLARE in lib/internal.h"
hooks=
for s in $stages; do
	hooks="$hooks mm_${s}_init mm_${s}_destroy mm_${s}_verify"
done
tab=$(mktemp)
trap 'rm -f "$tab"' EXIT
# member type symbol, for every symbol of every object of the archive
# (GNU and LLVM nm -A both print archive:member: [value] type name)
"$nm" -A "$archive" 2>/dev/null |
	awk '{ if (match($0, /[A-Za-z0-9_]+\.c\.o(bj)?:/)) print substr($0, RSTART, RLENGTH - 1), $(NF - 1), $NF }' >"$tab"
for core in machine phys memmap host; do
	grep -q "^$core\.c\.o" "$tab" || bad "no object for lib/$core.c in $archive"
done
ncore=0
violations=$(awk -v hooks="$hooks" '
	BEGIN { n = split(hooks, h, " "); for (i = 1; i <= n; i++) hook[h[i]] = 1 }
	{ obj = $1; sub(/\.c\.o(bj)?$/, "", obj) }
	obj == "machine" || obj == "phys" || obj == "memmap" || obj == "host" {
		if ($2 == "U") used[obj, $3] = 1
		next
	}
	$2 ~ /^[TW]$/ { stage_def[$3] = obj }
	END {
		for (k in used) {
			split(k, p, SUBSEP)
			if (!(p[2] in stage_def)) continue
			if (p[1] == "machine" && (p[2] in hook)) continue
			print "lib/" p[1] ".c calls " p[2] " (lib/" stage_def[p[2]] ".c)"
		}
	}' "$tab" | sort)
if [ -n "$violations" ]; then
	echo "$violations" | while read -r v; do echo "layering: the core calls a stage: $v" >&2; done
	fail=1
fi
nstage=$(awk '$1 !~ /^(machine|phys|memmap|host)\.c\.o/ && $2 ~ /^[TW]$/' "$tab" | wc -l)
ncore=$(awk '$1 ~ /^(machine|phys|memmap|host)\.c\.o/ && $2 == "U"' "$tab" | wc -l)
[ "$nstage" -gt 0 ] && [ "$ncore" -gt 0 ] || bad "nm found no symbols in $archive (stage definitions $nstage, core references $ncore)"

if [ "$fail" -ne 0 ]; then
	echo "layering: FAILED" >&2
	exit 1
fi
echo "layering: $nfiles files' includes checked; core objects' $ncore references checked against $nstage stage definitions: ok"
