#!/usr/bin/env bash
# Every citation of the semantics must resolve, and nothing may point out of
# the repository. Run by ctest as unit.citations (so ci/test.sh fails on a
# bad citation), or by hand from anywhere:
#
#   ci/check-citations.sh [ROOT]
#
# A citation is "NAME.md §N" or "NAME.md §N.M" (NAME may carry a path such
# as docs/semantics.md; a bare NAME means docs/NAME). It resolves when the
# cited file has a heading "# §N ..." (any level) with exactly that number.
# A bare "§N" resolves against the last file cited earlier on the same line,
# and inside a docs page against that page; anywhere else it is an error.
#
# Also an error, anywhere in the tree: a mention of the workspace outside
# the repository (its absolute path, its shared directory or the semantics
# file kept there), a NAME.md that no file of the repository is called, and
# a relative Markdown link whose target does not exist.
#
# Prints "citations: N resolved" and exits 0, or names each bad file:line
# and exits 1.
set -uo pipefail

ROOT=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
cd "$ROOT" || { echo "check-citations: no directory $ROOT" >&2; exit 2; }
export LC_ALL=C

# The files to look at: tracked and untracked-but-not-ignored ones in a git
# checkout, else every file outside build trees. Binary files are skipped
# by grep -I below.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	mapfile -t files < <(git ls-files --cached --others --exclude-standard | sort -u)
else
	mapfile -t files < <(find . -path ./build -prune -o -path ./.git -prune -o -type f -print |
		sed 's|^\./||' | sort)
fi
present=()
for f in "${files[@]}"; do
	[ -f "$f" ] && present+=("$f")
done
files=("${present[@]}")
# This script spells out the syntax it checks; it is the one file not checked.
for i in "${!files[@]}"; do
	[ "${files[$i]}" != ci/check-citations.sh ] || unset 'files[i]'
done
files=("${files[@]}")
[ ${#files[@]} -gt 0 ] || { echo "check-citations: no files under $ROOT" >&2; exit 2; }

bad=0
fail() { printf '%s\n' "$*" >&2; bad=1; }

# ---- paths outside the repository ------------------------------------------
# The patterns are spelled so that this file does not match them itself.
outside=$(grep -nIH -E -e '/wor[k]/' -e 'mm[-]semantics' -e 'share[d]/' -e '\.\./share[d]' \
	-- "${files[@]}" 2>/dev/null)
if [ -n "$outside" ]; then
	while IFS= read -r l; do
		fail "${l%%:*}:$(cut -d: -f2 <<<"$l"): refers to a path outside the repository"
	done <<<"$outside"
fi

# Every NAME.md mentioned must be a file of the repository (by name).
declare -A have_md=()
for f in "${files[@]}"; do
	case $f in *.md) have_md[${f##*/}]=1 ;; esac
done
while IFS= read -r l; do
	[ -n "$l" ] || continue
	loc=${l%:*}
	name=${l##*:}
	name=${name##*/}
	[ -n "${have_md[$name]:-}" ] ||
		fail "$loc: names $name, which is not a file of the repository"
done < <(grep -noIH -E '[A-Za-z0-9_./-]*[A-Za-z0-9_-]\.md\b' -- "${files[@]}" 2>/dev/null)

# Relative Markdown links must reach an existing file.
while IFS= read -r l; do
	[ -n "$l" ] || continue
	file=${l%%:*}
	rest=${l#*:}
	line=${rest%%:*}
	target=${rest#*:}
	target=${target#](}
	target=${target%)}
	target=${target%%#*}
	case $target in '' | http://* | https://* | mailto:*) continue ;; esac
	[ -e "$(dirname "$file")/$target" ] ||
		fail "$file:$line: link to $target, which does not exist"
done < <(grep -noIH -E '\]\([^) ]+\)' -- $(printf '%s\n' "${files[@]}" | grep '\.md$') 2>/dev/null)

# ---- citations -------------------------------------------------------------
# Headings "#... §N title" of every docs file, as "file §N" lines.
headings=$(for f in "${files[@]}"; do
	case $f in *.md) ;; *) continue ;; esac
	sed -n -E 's/^#+ §([0-9]+(\.[0-9]+)*)([ .:].*)?$/\1/p' "$f" | sed "s|^|$f §|"
done)

# Every § reference as "file:line:cited-doc:number" (cited-doc empty when
# the reference is bare and no file was cited before it on the line).
refs=$(grep -nIH '§' -- "${files[@]}" 2>/dev/null | awk '
{
	# file:line:text (file names hold no colon)
	i = index($0, ":"); file = substr($0, 1, i - 1); rest = substr($0, i + 1)
	j = index(rest, ":"); ln = substr(rest, 1, j - 1); text = substr(rest, j + 1)
	doc = ""
	if (file ~ /\.md$/ && file ~ /^docs\//)
		doc = file
	while ((p = index(text, "\302\247")) > 0) {
		pre = substr(text, 1, p - 1)
		post = substr(text, p + 2)
		num = ""
		if (match(post, /^[0-9]+(\.[0-9]+)*/))
			num = substr(post, 1, RLENGTH)
		if (substr(post, length(num) + 1, 1) ~ /[A-Za-z0-9_]/)
			num = "" # "1b", "2x": not a section number
		if (match(pre, /[A-Za-z0-9_.\/-]*[A-Za-z0-9_-]\.md[ ]$/)) {
			doc = substr(pre, RSTART, RLENGTH - 1)
			if (doc !~ /\//)
				doc = "docs/" doc
		}
		print file ":" ln ":" doc ":" num
		text = post
	}
}')

declare -A heading=()
while IFS= read -r h; do
	[ -z "$h" ] || heading[$h]=1
done <<<"$headings"

resolved=0
while IFS= read -r r; do
	[ -n "$r" ] || continue
	IFS=: read -r file line doc num <<<"$r"
	if [ -z "$num" ]; then
		fail "$file:$line: a section sign not followed by a section number (N or N.M)"
	elif [ -z "$doc" ]; then
		fail "$file:$line: §$num cites no file (write e.g. semantics.md §$num)"
	elif [ -z "${heading["$doc §$num"]:-}" ]; then
		if [ -f "$doc" ]; then
			fail "$file:$line: $doc has no heading §$num"
		else
			fail "$file:$line: $doc §$num: no such file"
		fi
	else
		resolved=$((resolved + 1))
	fi
done <<<"$refs"

if [ "$bad" != 0 ]; then
	echo "citations: $resolved resolved, the errors above do not" >&2
	exit 1
fi
if [ "$resolved" = 0 ]; then
	echo "citations: none found (the check itself is broken)" >&2
	exit 1
fi
echo "citations: $resolved resolved"
