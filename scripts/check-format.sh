#!/usr/bin/env bash
# Fails when a C++ file differs from .clang-format's layout. `make format` fixes it.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files 'src/*.cpp' 'src/*.h' 'tests/*.cpp' 'tests/*.h' 'bench/*.cpp')
[ ${#files[@]} -eq 0 ] && exit 0
if ! clang-format --dry-run --Werror "${files[@]}" 2>/tmp/marketlink-format.log; then
  grep -E '^[^ ].*(warning|error):' /tmp/marketlink-format.log | cut -d: -f1 | sort -u | sed 's/^/  needs formatting: /' >&2
  echo "format: run 'make format' to fix the files above" >&2
  exit 1
fi
