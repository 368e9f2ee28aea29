#!/usr/bin/env bash
# scripts/mirrored.sh NAME CMD...: runs CMD in a content mirror of this
# checkout (scripts/mirror.py) at $CACHE/mirror-NAME, with cargo's target dir
# beside it ($CACHE/mirror-NAME.target), one run at a time per NAME.
# make test builds and runs cargo's suites this way, so a fresh clone of an
# already built tree compiles only what differs from the last build here
# (CI's time: docs/testing.md). Cargo prints paths relative to the
# workspace, so its messages read as they would in the checkout.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${WXPAY_MATRIX_CACHE:-$HOME/.cache/wxpay-matrix}
name=${1:?usage: mirrored.sh NAME CMD...}
shift
dir=$cache/mirror-$name
mkdir -p "$cache"
exec 9>"$dir.lock"
flock 9
python3 "$root/scripts/mirror.py" "$root" "$dir"
cd "$dir"
# ext-php-rs's build script reruns, and everything above it recompiles, when
# PHP, PHP_CONFIG or PATH differ from the last build's: the PHP the caller's
# PATH finds, by absolute path, and a PATH that does not depend on the caller.
PHP=$(command -v "${PHP:-php}") PHP_CONFIG=$(command -v "${PHP_CONFIG:-php-config}") ||
    { echo "mirrored.sh: no php or php-config on PATH" >&2; exit 1; }
cargo=$(command -v cargo) || cargo=$HOME/.cargo/bin/cargo
export PHP PHP_CONFIG CARGO_TARGET_DIR=$dir.target PATH=${cargo%/*}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
"$@"
