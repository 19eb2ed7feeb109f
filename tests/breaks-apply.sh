#!/bin/sh
# Every deliberate break still applies to the tree (ctest unit.breaks_apply).
#
# ci/breaks.sh proves each rule by applying ci/breaks/<name>.patch to a
# scratch copy and watching props catch it; a patch that no longer applies
# proves nothing, and without this check it goes unnoticed until someone
# runs ci/breaks.sh. Each patch also names its harness and the rule it
# breaks on its first two lines. patch(1), not git: a clean export works too.
root=${1:?usage: breaks-apply.sh SOURCE_DIR}
fail=0
n=0
for p in "$root"/ci/breaks/*.patch; do
	n=$((n + 1))
	name=${p##*/}
	sed -n '1p' "$p" | grep -q '^# harness: [a-z_0-9]*$' || { echo "breaks-apply: $name: no '# harness: H' first line" >&2; fail=1; }
	sed -n '2p' "$p" | grep -q '^# breaks: .' || { echo "breaks-apply: $name: no '# breaks: ...' second line" >&2; fail=1; }
	if ! (cd "$root" && patch -p1 --dry-run -s -f --fuzz=0 <"$p" >/dev/null 2>&1); then
		echo "breaks-apply: $name no longer applies to lib/ (regenerate it against the current code)" >&2
		fail=1
	fi
done
[ "$n" -gt 0 ] || { echo "breaks-apply: no patch in $root/ci/breaks" >&2; exit 1; }
[ "$fail" = 0 ] && echo "breaks-apply: $n patches apply"
exit $fail
