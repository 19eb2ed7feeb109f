#!/usr/bin/env bash
# Operator mutation testing of lib/*.c: is every small wrong edit caught?
#
#   ci/mutate.sh [--sample N] [--seed S] [--files 'lib/x.c ...'] [--jobs J] [--ids FILE]
#                [--preset P] [--list]
#
# Generates operator mutants of lib/*.c (relational, logical, arithmetic,
# off-by-one, negated conditions, deleted statements), samples N of them
# (default 200) with seed S (default 1), and judges each in a scratch copy of
# the tree (build/mutate/src, preset asan-ubsan as CI, rebuilt incrementally: the working
# tree is never touched) by the unit and scenario ctest tests and a short
# props run per harness. Prints progress, the score (killed / judged,
# stillborn and listed-equivalent mutants excluded) and every survivor.
# Equivalent mutants: ci/mutate-equivalent.txt. Results are logged per tree
# content under build/mutate/, so a rerun on the same tree resumes. The
# generator and judge are ci/mutate.py; docs/checking.md has the details.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$MMSIM_ROOT"
need cmake ninja clang
command -v python3 >/dev/null 2>&1 || install_packages python3
exec python3 ci/mutate.py "$@"
