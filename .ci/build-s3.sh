#!/bin/sh
# build-s3.sh builds (or reuses) the Versity S3 gateway (versitygw) that the
# object-store tests start with its POSIX backend, and prints its path on
# stdout; progress goes to stderr. The binary is cached outside the
# repository, keyed by the sha256 of .ci/s3/go.sum, so a CI run reuses it
# until the wrapper's dependencies change:
#
#   ${XDG_CACHE_HOME:-$HOME/.cache}/fieldvault-s3/<sha256 of go.sum>/versitygw
#
# Use:  FIELDVAULT_S3_BIN=$(.ci/build-s3.sh) go test ./vault/store/...
#
# The wrapper module (.ci/s3) has its own go.mod, which names the gateway as a
# tool, so "go test ./..." at the repository root never compiles it. Its
# go.sum is committed: the build does not re-resolve the module graph unless
# go.sum is missing. The first build downloads a few hundred MB of modules and
# takes several minutes on two cores.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
mod="$here/s3"
pkg=github.com/versity/versitygw/cmd/versitygw
log() { printf 'build-s3: %s\n' "$*" >&2; }

command -v go >/dev/null 2>&1 || { log "go is not on PATH"; exit 1; }

if [ ! -f "$mod/go.sum" ]; then
	log "no go.sum in $mod: resolving modules (go mod tidy)"
	(cd "$mod" && go mod tidy) >&2
fi

if command -v sha256sum >/dev/null 2>&1; then
	sum=$(sha256sum "$mod/go.sum" | cut -d' ' -f1)
else
	sum=$(shasum -a 256 "$mod/go.sum" | cut -d' ' -f1)
fi
cache="${XDG_CACHE_HOME:-$HOME/.cache}/fieldvault-s3/$sum"
bin="$cache/versitygw"

if [ -x "$bin" ] && "$bin" --version >/dev/null 2>&1; then
	log "reusing $bin"
	printf '%s\n' "$bin"
	exit 0
fi

mkdir -p "$cache"
tmp="$cache/versitygw.tmp.$$"
trap 'rm -f "$tmp"' EXIT INT TERM
log "building the S3 gateway ($pkg) into $cache; the first build takes several minutes"
(cd "$mod" && go build -o "$tmp" "$pkg") >&2
"$tmp" --version >&2
mv -f "$tmp" "$bin"
trap - EXIT INT TERM
log "built $bin"
printf '%s\n' "$bin"
