#!/usr/bin/env bash
# Install the Debian packages goroscope's build, tests, demo and benchmark
# need, when they are missing (prometheus: for promtool, which checks the
# /metrics exposition in the tests; chromium: renders the HTML report in the
# tests, driven by playwright-core from npm, which needs Node.js: Debian's
# nodejs and npm are installed only when the machine has no node). Runs
# apt-get update once, only if something must be installed. Needs root (or
# sudo).
set -euo pipefail
need=(gcc make pkg-config clang libclang-rt-14-dev libcmocka-dev zlib1g-dev libcurl4-openssl-dev libssl-dev libsqlite3-dev libyaml-dev libmicrohttpd-dev libjansson-dev golang-go python3 panicparse time prometheus chromium)
missing=()
for p in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
SUDO=
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
