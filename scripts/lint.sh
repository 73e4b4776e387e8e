#!/usr/bin/env bash
# Runs clang-tidy with the repository's .clang-tidy over every C++ file in src/, in parallel,
# with ./build's compile commands. Any finding fails (WarningsAsErrors in .clang-tidy).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

bash scripts/install-deps.sh
# Configuring writes build/compile_commands.json; nothing needs building (the generated sources
# of embedded files live in build/, outside what is checked).
cmake --preset default >/dev/null

echo "lint: clang-tidy over src/"
run-clang-tidy-14 -p build -quiet -j "$(nproc)" "^$root/src/.*\.cpp\$" >build/lint.log 2>&1 || {
  sed 's/\x1b\[[0-9;]*m//g' build/lint.log | grep -E "(warning|error):" | sort -u >&2
  echo "lint: findings above (full output in build/lint.log)" >&2
  exit 1
}
echo "lint: clean"
