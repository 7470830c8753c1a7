#!/usr/bin/env bash
# make install and make uninstall into a scratch DESTDIR (the binary, the
# man page, the bash and zsh completions, each where its tools look), then a
# build the way a packager makes one: its own CFLAGS, CPPFLAGS and LDFLAGS,
# and DLOPEN=0 (libcurl, libmicrohttpd, libcrypto linked, so that they show
# in the ELF file). Uses the build in build/; needs no root and no network.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass+1)); }
bad() { fail=$((fail+1)); echo "FAIL $*"; }
check() { local what=$1; shift; if "$@" >/dev/null 2>&1; then ok; else bad "$what"; fi; }

dest=$tmp/dest
make -s -C "$root" install DESTDIR="$dest" PREFIX=/usr >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; bad "make install"; }
check "the binary in bin/, executable" test -x "$dest/usr/bin/goroscope"
check "the installed binary runs" "$dest/usr/bin/goroscope" --version
check "the man page in share/man/man1" cmp "$root/docs/goroscope.1" "$dest/usr/share/man/man1/goroscope.1"
bashc=$dest/usr/share/bash-completion/completions/goroscope
zshc=$dest/usr/share/zsh/site-functions/_goroscope
check "the bash completion in share/bash-completion/completions" test -s "$bashc"
check "the bash completion registers itself" bash -c "source '$bashc' && complete -p goroscope | grep -q _goroscope"
check "the zsh completion in share/zsh/site-functions" test -s "$zshc"
check "the zsh completion starts with #compdef" grep -qx '#compdef goroscope' "$zshc"
check "the zsh completion parses" zsh -n "$zshc"
check "the completions are what the binary writes" cmp "$bashc" <("$dest/usr/bin/goroscope" completion bash)
make -s -C "$root" uninstall DESTDIR="$dest" PREFIX=/usr >"$tmp/uninstall.log" 2>&1 || bad "make uninstall"
left=$(find "$dest" -type f | sed "s|$dest||")
if [ -z "$left" ]; then ok; else bad "make uninstall left: $left"; fi

# A packager's build: flags honoured, run-time libraries linked.
b=$tmp/pkg
make -s -C "$root" BUILD="$b" DLOPEN=0 CFLAGS="-O1 -g" CPPFLAGS='-DGOROSCOPE_VERSION=\"9.8.7-pkg\"' \
  LDFLAGS="-Wl,-z,now" "$b/goroscope" >"$tmp/pkg.log" 2>&1 || { tail -20 "$tmp/pkg.log"; bad "DLOPEN=0 build"; }
check "CPPFLAGS reach the compiler (the version stamped)" grep -qx 'goroscope 9.8.7-pkg' <("$b/goroscope" --version)
check "LDFLAGS reach the linker (-z now)" grep -qE 'FLAGS.*NOW|BIND_NOW' <(readelf -d "$b/goroscope")
for lib in libcurl.so.4 libmicrohttpd.so.12 libcrypto.so.3; do
  check "DLOPEN=0 links $lib" grep -q "NEEDED.*\[$lib\]" <(readelf -d "$b/goroscope")
  check "the default build loads $lib only when used" bash -c "! readelf -d '$root/build/goroscope' | grep -q '\[$lib\]'"
done
# libcurl found linked: a refused connection, said as such
out=$("$b/goroscope" analyze --retries 0 http://127.0.0.1:1 2>&1 || true)
if grep -q "connection refused" <<<"$out"; then ok; else bad "DLOPEN=0 fetches with the linked libcurl: $out"; fi
echo "install: $pass passed, $fail failed"
[ $fail -eq 0 ]
