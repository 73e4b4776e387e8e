#!/usr/bin/env bash
# Builds everything with AddressSanitizer and UndefinedBehaviorSanitizer in ./build-asan and runs
# every test there (the layering check aside: it reads no C++ at run time), the browser and AWS
# client suites included, so the servers they start are instrumented too. Any report fails its
# test: leaks, out-of-bounds or freed memory, undefined behaviour. Child processes (servers,
# workers, the simulator) inherit the settings below.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

bash scripts/install-deps.sh
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1

jobs=${MARKETLINK_TEST_JOBS:-$(nproc)}
cmake --preset asan >/dev/null
cmake --build build-asan -j "$jobs"

export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:strict_string_checks=1:check_initialization_order=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

source scripts/test-servers.sh

echo "test-sanitize: running tests"
ctest --preset asan -j "$jobs"
