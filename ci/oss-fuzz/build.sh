#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build script for mmsim.
#
# Uses $CC $CXX $CFLAGS $CXXFLAGS $LIB_FUZZING_ENGINE exactly as the build
# environment gives them (MMSIM_ENGINE=external adds no engine, sanitizer or
# -Werror flag of its own; LIB_FUZZING_ENGINE may be a flag, libFuzzer's
# -fsanitize=fuzzer, or an archive, AFL++'s libAFLDriver). Puts into $OUT,
# per harness: fuzz_<h>, fuzz_<h>.dict, fuzz_<h>.options and
# fuzz_<h>_seed_corpus.zip (corpus/<h>/seed plus corpus/<h>/regress).
#
# Run from the repository (ci/oss-fuzz/build.sh, as .clusterfuzzlite/build.sh
# does) or as $SRC/build.sh with the repository in $SRC/mmsim (OSS-Fuzz).

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ -n "${MMSIM_SRC:-}" ]; then
	src=$MMSIM_SRC
elif [ -f "$here/../../CMakeLists.txt" ] && [ -d "$here/../../fuzz" ]; then
	src=$(cd "$here/../.." && pwd)
else
	src=$SRC/mmsim
fi
build=$WORK/mmsim-build
: "${LIB_FUZZING_ENGINE:?LIB_FUZZING_ENGINE must be set}"

generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
# CMake takes CC, CXX, CFLAGS and CXXFLAGS from the environment.
cmake -S "$src" -B "$build" "${generator[@]}" \
	-DMMSIM_ENGINE=external \
	-DLIB_FUZZING_ENGINE="$LIB_FUZZING_ENGINE" \
	-DMMSIM_TESTS=OFF \
	-DBUILD_SHARED_LIBS=OFF

harnesses=()
for f in "$src"/fuzz/fuzz_*.c; do
	[ -e "$f" ] || continue
	f=${f##*/fuzz_}
	harnesses+=("${f%.c}")
done
[ ${#harnesses[@]} -gt 0 ] || { echo "no fuzz/fuzz_*.c in $src" >&2; exit 1; }
targets=()
for h in "${harnesses[@]}"; do targets+=("fuzz_$h"); done
cmake --build "$build" -j "$(nproc)" --target "${targets[@]}"

mkdir -p "$OUT"
for h in "${harnesses[@]}"; do
	t=fuzz_$h
	cp "$build/$t" "$OUT/$t"
	[ -f "$src/fuzz/$h.dict" ] && cp "$src/fuzz/$h.dict" "$OUT/$t.dict"
	[ -f "$src/fuzz/$h.options" ] && cp "$src/fuzz/$h.options" "$OUT/$t.options"
	files=()
	for d in seed regress; do
		[ -d "$src/corpus/$h/$d" ] || continue
		while IFS= read -r -d '' f; do files+=("$f"); done \
			< <(find "$src/corpus/$h/$d" -maxdepth 1 -type f ! -name '.*' -print0 | sort -z)
	done
	rm -f "$OUT/${t}_seed_corpus.zip"
	if [ ${#files[@]} -gt 0 ]; then
		if command -v zip >/dev/null 2>&1; then
			zip -q -j "$OUT/${t}_seed_corpus.zip" "${files[@]}"
		else
			python3 -c 'import sys, zipfile, os
z = zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED)
for f in sys.argv[2:]:
    z.write(f, os.path.basename(f))
z.close()' "$OUT/${t}_seed_corpus.zip" "${files[@]}"
		fi
	fi
done
ls -l "$OUT"
