#!/usr/bin/env bash
# Sets up everything and runs every test: the one command CI runs (through `make test`).
#   1. installs missing Debian packages (scripts/install-deps.sh)
#   2. builds in ./build (Ninja, ccache) with warnings as errors
#   3. checks formatting (clang-format)
#   4. starts a throwaway PostgreSQL cluster and an SMTP server on 127.0.0.1
#   5. runs every test through ctest, in parallel
# Everything started here is stopped on exit, whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

bash scripts/install-deps.sh

# Let ccache share results between checkouts in different folders (CI clones afresh).
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1

jobs=${MARKETLINK_TEST_JOBS:-$(nproc)}
cmake --preset default >/dev/null
cmake --build build -j "$jobs"

bash scripts/check-format.sh

source scripts/test-servers.sh

export MARKETLINK_BINARY="$root/build/marketlink"
echo "test: running tests"
(cd build && ctest -j "$jobs" --output-on-failure --timeout 600)
