#!/usr/bin/env bash
# Installs every Debian package Marketlink needs to build, run and test.
# Idempotent: quiet and quick when everything is already there.
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build ccache pkg-config clang-format clang-tidy
  # libraries
  libboost-dev libsoci-dev libsqlite3-dev libpq-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
  libcli11-dev libkainjow-mustache-dev libsodium-dev libcurl4-openssl-dev libssl-dev
  libgtest-dev libgmock-dev
  # test and benchmark peers
  postgresql sqlite3 python3-aiosmtpd awscli python3-boto3 wrk nginx-light curl chromium
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
if ! "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/marketlink-apt.log 2>&1; then
  "${sudo_cmd[@]}" apt-get update -q >>/tmp/marketlink-apt.log 2>&1
  "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >>/tmp/marketlink-apt.log 2>&1 || {
    tail -n 30 /tmp/marketlink-apt.log >&2
    exit 1
  }
fi
# Debian's postgresql package starts a cluster on install; tests run their own.
if command -v pg_lsclusters >/dev/null 2>&1; then
  pg_lsclusters -h 2>/dev/null | awk '$4=="online"{print $1, $2}' | while read -r v c; do
    "${sudo_cmd[@]}" pg_ctlcluster "$v" "$c" stop || true
  done
fi
