#!/bin/sh
# ALWAYS(x) and NEVER(x) must be pure: the coverage build (MMSIM_COVERAGE)
# compiles them to 1 and 0 without evaluating x, so an assignment or an
# increment inside one runs in every build but that one (lib/internal.h).
# Fails, naming the line, on '=' (not ==, !=, <=, >=), '++' or '--' inside
# the parentheses of either macro on one line.
root=${1:-.}
bad=$(grep -nE '(ALWAYS|NEVER)\(' "$root"/lib/*.c "$root"/lib/*.h |
	sed -nE 's/^([^:]*:[0-9]+):.*(ALWAYS|NEVER)(\(.*)$/\1 \3/p' |
	grep -E '([^=!<>]=[^=]|\+\+|--)' )
if [ -n "$bad" ]; then
	echo "side effect inside ALWAYS()/NEVER() (not evaluated in the coverage build):"
	echo "$bad"
	exit 1
fi
echo "never-pure: ALWAYS()/NEVER() arguments are pure"
