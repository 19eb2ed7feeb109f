#!/bin/bash -eu
# ClusterFuzzLite build: the real script is ci/oss-fuzz/build.sh.
exec "$SRC/mmsim/ci/oss-fuzz/build.sh"
