#!/usr/bin/env bash
# Install the Debian packages a make target needs, when they are missing;
# with --check, install nothing and say what is missing (exit 1). Runs
# apt-get update once, only if something must be installed. Needs root (or
# sudo).
#
#   install-deps.sh build   the build and the demo: compiler, libraries,
#                           python3 (embeds the web assets), Go (the demo
#                           service; go tool pprof)
#   install-deps.sh check   + the fast suite (make check): clang and its
#                           sanitizer runtime (fuzz replay), cmocka (unit
#                           tests), zsh (its completion script is checked)
#   install-deps.sh test    + the full suite (make test): prometheus (promtool
#                           checks /metrics), prometheus-alertmanager (watch
#                           posts alerts to a real one), python3-yaml (the
#                           deploy/ manifests are checked), chromium (the HTML report and
#                           web UI, driven by playwright-core from npm, which
#                           needs Node.js: Debian's nodejs and npm, only when
#                           the machine has no node)
#   install-deps.sh bench   + the benchmark: panicparse, GNU time
set -euo pipefail
check_only=0
if [ "${1:-}" = --check ]; then check_only=1; shift; fi
tier=${1:-test}
build=(gcc make pkg-config python3 zlib1g-dev libcurl4-openssl-dev libssl-dev libsqlite3-dev libyaml-dev
       libmicrohttpd-dev libjansson-dev golang-go)
check=(clang libclang-rt-14-dev libcmocka-dev zsh)
test=(prometheus prometheus-alertmanager python3-yaml chromium)
bench=(panicparse time)
case $tier in
  build) need=("${build[@]}") ;;
  check) need=("${build[@]}" "${check[@]}") ;;
  test) need=("${build[@]}" "${check[@]}" "${test[@]}") ;;
  bench) need=("${build[@]}" "${check[@]}" "${test[@]}" "${bench[@]}") ;;
  *) echo "install-deps.sh: unknown tier '$tier' (build, check, test, bench)" >&2; exit 2 ;;
esac
missing=()
for p in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "$tier" = test ] || [ "$tier" = bench ]; then
  command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ $check_only -eq 1 ]; then
  echo "missing Debian packages: ${missing[*]}" >&2
  echo "install them with: make deps-$tier (as root, or with sudo)" >&2
  exit 1
fi
echo "installing: ${missing[*]}"
SUDO=
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
