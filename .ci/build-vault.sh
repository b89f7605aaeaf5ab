#!/bin/sh
# build-vault.sh builds (or reuses) the HashiCorp Vault server binary that the
# Transit tests start in dev mode, and prints its path on stdout; progress goes
# to stderr. The binary is cached outside the repository, keyed by the sha256
# of .ci/vault/go.sum, so a CI run reuses it until the wrapper's dependencies
# change:
#
#   ${XDG_CACHE_HOME:-$HOME/.cache}/fieldvault-vault/<sha256 of go.sum>/vault
#
# Use:  FIELDVAULT_VAULT_BIN=$(.ci/build-vault.sh) go test ./vault/keys/...
#
# The wrapper module (.ci/vault) has its own go.mod, so "go test ./..." at the
# repository root never compiles Vault. Its go.sum is committed: the build does
# not re-resolve the module graph unless go.sum is missing. The first build
# downloads a few GB of modules and takes about ten minutes on two cores.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
mod="$here/vault"
log() { printf 'build-vault: %s\n' "$*" >&2; }

command -v go >/dev/null 2>&1 || { log "go is not on PATH"; exit 1; }

if [ ! -f "$mod/go.sum" ]; then
	log "no go.sum in $mod: resolving modules (go mod tidy -e; errors about plugins outside the minimal build are expected)"
	(cd "$mod" && go mod tidy -e) >&2
fi

if command -v sha256sum >/dev/null 2>&1; then
	sum=$(sha256sum "$mod/go.sum" | cut -d' ' -f1)
else
	sum=$(shasum -a 256 "$mod/go.sum" | cut -d' ' -f1)
fi
cache="${XDG_CACHE_HOME:-$HOME/.cache}/fieldvault-vault/$sum"
bin="$cache/vault"

if [ -x "$bin" ] && "$bin" version >/dev/null 2>&1; then
	log "reusing $bin"
	printf '%s\n' "$bin"
	exit 0
fi

mkdir -p "$cache"
tmp="$cache/vault.tmp.$$"
trap 'rm -f "$tmp"' EXIT INT TERM
log "building the vault server (go build -tags minimal) into $cache; the first build takes about ten minutes"
(cd "$mod" && go build -tags minimal -o "$tmp" .) >&2
"$tmp" version >&2
mv -f "$tmp" "$bin"
trap - EXIT INT TERM
log "built $bin"
printf '%s\n' "$bin"
