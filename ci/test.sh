#!/usr/bin/env bash
# Build mmsim and run every ctest test (unit, scenario, props, corpus replay)
# under ASan+UBSan: the CI gate. Before that, a -Werror build with gcc keeps
# the code warning-clean on both compilers (its unit tests run too).
#
#   ci/test.sh [extra ctest arguments, e.g. -R corpus]
#
# Installs missing Debian packages (cmake, ninja-build, clang, the clang
# sanitizer runtime, gcc, gcc-multilib) when run as root; otherwise prints
# the apt-get line. Set MMSIM_SKIP_GCC=1 to skip the gcc builds (the native
# one and the -m32 one, whose unit, scenario and props tests run too: the
# simulated 32-bit kernel must not depend on the host's 64-bit long).
# On a host that cannot execute 32-bit binaries the m32 preset is still built
# (warning-clean, 32-bit-correct at compile time) and one line says why its
# tests are skipped; MMSIM_NO_M32_EXEC=1 takes that path on any host.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$MMSIM_ROOT"

need cmake ninja clang asan gcc
[ "${MMSIM_SKIP_GCC:-0}" = 1 ] || need m32

if [ "${MMSIM_SKIP_GCC:-0}" != 1 ]; then
	log "gcc build with -Werror (preset dev-gcc)"
	build_preset dev-gcc
	log "gcc build: unit tests"
	ctest --preset dev-gcc -L '^unit$' -j "$NPROC" --output-on-failure
	log "gcc -m32 build with -Werror (preset m32)"
	build_preset m32
	if m32_run_ok; then
		log "gcc -m32 build: unit, scenario and props tests"
		ctest --preset m32 -L '^(unit|scenario|props)$' -j "$NPROC" --output-on-failure
	else
		log "skip: m32 tests not run: $m32_why; the m32 preset was built warning-clean, its tests need a host that runs i386 binaries"
	fi
fi

log "clang ASan+UBSan build (preset asan-ubsan)"
build_preset asan-ubsan

log "ctest under ASan+UBSan: every test"
exec ctest --preset asan-ubsan -j "$NPROC" --output-on-failure "$@"
