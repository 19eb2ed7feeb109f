# shellcheck shell=bash
# Shared by the ci/*.sh scripts (sourced, not run): repository root, logging,
# and the package check that installs what is missing on Debian.

MMSIM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NPROC=$(nproc 2>/dev/null || echo 1)
[ "$NPROC" -ge 1 ] 2>/dev/null || NPROC=1

log() { printf '==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Every harness, from fuzz/fuzz_<name>.c.
all_harnesses() {
	local f
	for f in "$MMSIM_ROOT"/fuzz/fuzz_*.c; do
		[ -e "$f" ] || continue
		f=${f##*/fuzz_}
		printf '%s\n' "${f%.c}"
	done
}

# Install the named Debian packages: with apt-get when root, otherwise print
# the exact command and stop.
install_packages() {
	[ $# -gt 0 ] || return 0
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		log "installing missing packages: $*"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq || die "apt-get update failed"
		apt-get install -y -qq --no-install-recommends "$@" >/dev/null \
			|| die "apt-get install $* failed"
	else
		die "missing packages; install them with:
    sudo apt-get update && sudo apt-get install -y --no-install-recommends $*"
	fi
}

cmake_new_enough() {
	local v
	command -v cmake >/dev/null 2>&1 || return 1
	v=$(cmake --version | sed -n '1s/[^0-9]*\([0-9]*\)\.\([0-9]*\).*/\1 \2/p')
	set -- $v
	[ "${1:-0}" -gt 3 ] || { [ "${1:-0}" -eq 3 ] && [ "${2:-0}" -ge 25 ]; }
}

# Does clang build and run a program with the given -fsanitize= list?
clang_runtime_ok() {
	local tmp rc
	command -v clang >/dev/null 2>&1 || return 1
	tmp=$(mktemp -d)
	if [ "$1" = fuzzer ]; then
		printf '#include <stdint.h>\n#include <stddef.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return n && d[0] == 7; }\n' >"$tmp/p.c"
		clang -fsanitize=fuzzer,address,undefined "$tmp/p.c" -o "$tmp/p" >/dev/null 2>&1 \
			&& "$tmp/p" -runs=10 >/dev/null 2>&1
	else
		printf 'int main(void) { return 0; }\n' >"$tmp/p.c"
		clang -fsanitize="$1" "$tmp/p.c" -o "$tmp/p" >/dev/null 2>&1 && "$tmp/p"
	fi
	rc=$?
	rm -rf "$tmp"
	return $rc
}

# Can gcc build a 32-bit x86 program (gcc-multilib)? Building is all the
# -m32 preset needs; running its tests also needs a host kernel that executes
# i386 binaries (CONFIG_IA32_EMULATION), which some kernels leave out.
m32_build_ok() {
	local tmp rc
	tmp=$(mktemp -d)
	printf 'int main(void) { return sizeof(long) != 4; }\n' >"$tmp/p.c"
	gcc -m32 "$tmp/p.c" -o "$tmp/p" >/dev/null 2>&1
	rc=$?
	rm -rf "$tmp"
	return $rc
}

# Can this host execute a 32-bit x86 binary? Probed once by building and
# running one. MMSIM_NO_M32_EXEC=1 answers "no" without probing, so the skip
# path can be exercised on any machine. On "no" it sets m32_why.
m32_run_ok() {
	local tmp rc
	if [ "${MMSIM_NO_M32_EXEC:-0}" = 1 ]; then
		m32_why="MMSIM_NO_M32_EXEC=1 (simulating a host without 32-bit execution)"
		return 1
	fi
	tmp=$(mktemp -d)
	printf 'int main(void) { return sizeof(long) != 4; }\n' >"$tmp/p.c"
	if ! gcc -m32 "$tmp/p.c" -o "$tmp/p" >/dev/null 2>&1; then
		m32_why="gcc -m32 cannot link a program"
		rc=1
	elif ! "$tmp/p" >/dev/null 2>&1; then
		m32_why="the host kernel does not execute i386 binaries (no IA32 emulation)"
		rc=1
	else
		rc=0
	fi
	rm -rf "$tmp"
	return $rc
}

clang_major() {
	clang --version 2>/dev/null | sed -n '1s/.*clang version \([0-9]*\).*/\1/p'
}

# need TOOL... : make sure each named tool is usable, installing what is missing.
# Tools: cmake ninja clang asan (clang's ASan/UBSan runtime) fuzzer (libFuzzer)
#        gcc afl llvm (llvm-profdata/llvm-cov) zip m32 (gcc -m32 builds: gcc-multilib)
need() {
	local pkgs=() t major
	for t in "$@"; do
		case $t in
		cmake) cmake_new_enough || pkgs+=(cmake) ;;
		ninja) command -v ninja >/dev/null 2>&1 || pkgs+=(ninja-build) ;;
		clang) command -v clang >/dev/null 2>&1 || pkgs+=(clang) ;;
		gcc) command -v gcc >/dev/null 2>&1 || pkgs+=(gcc) ;;
		afl) command -v afl-fuzz >/dev/null 2>&1 && command -v afl-clang-fast >/dev/null 2>&1 || pkgs+=(afl++) ;;
		llvm) command -v "llvm-profdata-$(clang_major)" >/dev/null 2>&1 || command -v llvm-profdata >/dev/null 2>&1 \
			|| pkgs+=("llvm-$(clang_major)") ;;
		zip) command -v zip >/dev/null 2>&1 || pkgs+=(zip) ;;
		m32) m32_build_ok || pkgs+=(gcc-multilib) ;;
		esac
	done
	# The sanitizer runtimes belong to the clang that gets installed, so
	# check them once clang is there.
	install_packages "${pkgs[@]}"
	pkgs=()
	for t in "$@"; do
		case $t in
		asan | fuzzer)
			major=$(clang_major)
			if [ "$t" = asan ]; then
				clang_runtime_ok address,undefined || pkgs+=("libclang-rt-${major:-14}-dev")
			else
				clang_runtime_ok fuzzer || pkgs+=("libclang-rt-${major:-14}-dev")
			fi
			;;
		esac
	done
	if [ ${#pkgs[@]} -gt 0 ]; then
		install_packages "${pkgs[0]}"
		for t in "$@"; do
			case $t in
			asan) clang_runtime_ok address,undefined || die "clang cannot link -fsanitize=address,undefined even with ${pkgs[0]}" ;;
			fuzzer) clang_runtime_ok fuzzer || die "clang cannot link -fsanitize=fuzzer even with ${pkgs[0]}" ;;
			esac
		done
	fi
}

# Configure PRESET (quick when build/PRESET exists), then build TARGETS (all
# when none are given).
build_preset() {
	local preset=$1 cfglog
	shift
	cd "$MMSIM_ROOT" || die "cannot cd to $MMSIM_ROOT"
	cfglog=$(mktemp)
	if ! cmake --preset "$preset" >"$cfglog" 2>&1; then
		cat "$cfglog" >&2
		rm -f "$cfglog"
		die "cmake --preset $preset failed"
	fi
	rm -f "$cfglog"
	if [ $# -gt 0 ]; then
		cmake --build --preset "$preset" -j "$NPROC" --target "$@"
	else
		cmake --build --preset "$preset" -j "$NPROC"
	fi
}

# parse_fuzz_args [seconds] [harness...]: sets secs (default 60) and the
# harnesses array (default every fuzz/fuzz_*.c), checking each name.
parse_fuzz_args() {
	secs=60
	if [ $# -gt 0 ] && [[ $1 =~ ^[0-9]+$ ]]; then
		secs=$1
		shift
	fi
	if [ $# -gt 0 ]; then
		harnesses=("$@")
	else
		mapfile -t harnesses < <(all_harnesses)
	fi
	[ ${#harnesses[@]} -gt 0 ] || die "no harness found (fuzz/fuzz_*.c)"
	local h
	for h in "${harnesses[@]}"; do
		[ -f "fuzz/fuzz_$h.c" ] || die "unknown harness '$h' (no fuzz/fuzz_$h.c)"
	done
}
