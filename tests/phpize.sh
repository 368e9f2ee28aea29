#!/usr/bin/env bash
# The source build PIE falls back to ("composer-default": phpize, configure,
# make, make install), in a copy of the checkout, as PIE does it:
#   1. without cargo, configure stops and points to the pre-built packages;
#   2. with cargo, make builds the module and make install puts it in
#      extension_dir (staged with INSTALL_ROOT), where it loads.
# Prints "PHPIZE ok ..." / "PHPIZE FAIL ..." lines.
set -uo pipefail
cd "$(dirname "$0")/.."
source tests/lib.sh
# A content mirror at a fixed place outside the checkout (scripts/mirror.py:
# unchanged files keep their times), so cargo's cached build of the copy is
# reused by the next run, a fresh clone's included.
work=${WXPAY_MATRIX_CACHE:-$HOME/.cache/wxpay-matrix}/phpize-src
python3 scripts/mirror.py . "$work" 2>/dev/null || { echo "PHPIZE FAIL copying the checkout"; exit 1; }

check() { local label=$1; shift; if "$@"; then echo "PHPIZE ok $label"; else echo "PHPIZE FAIL $label"; fi; }

cd "$work"
phpize >phpize.log 2>&1 || { cat phpize.log; echo "PHPIZE FAIL phpize"; exit 1; }

no_cargo() {
    # The caller's PATH without the directories that hold cargo, and a HOME
    # without ~/.cargo (config.m4 looks there too).
    local path
    path=$(tr ':' '\n' <<<"$PATH" | while read -r d; do [ -x "$d/cargo" ] || printf '%s:' "$d"; done)
    ! PATH=${path%:} HOME=$work ./configure >configure-nocargo.log 2>&1 &&
        grep -q "wxpay is written in Rust" configure-nocargo.log &&
        grep -q "php_wxpay-\*.zip" configure-nocargo.log
}
check "configure without cargo stops and names the pre-built packages" no_cargo

build() {
    # The cached target, and the same PATH every run (ext-php-rs's build
    # script reruns when it changes), for make and for make install (which
    # runs cargo again: the module's rule is phony).
    local cargo env
    cargo=$(command -v cargo) || cargo=$HOME/.cargo/bin/cargo
    env=(CARGO_TARGET_DIR="$work.target" PATH="${cargo%/*}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
    ./configure --with-php-config="$(command -v php-config)" >configure.log 2>&1 &&
        env "${env[@]}" make >make.log 2>&1 &&
        env "${env[@]}" make install INSTALL_ROOT="$work/root" >install.log 2>&1 &&
        so=$work/root$(php-config --extension-dir)/wxpay.so && [ -f "$so" ] &&
        "$PHP" -n -d "extension=$so" -r 'exit(wx_deliver_sign(["a" => "1"], "k") === sha1("a=1&appkey=k") ? 0 : 1);'
}
check "phpize, configure, make, make install: a module that loads and signs" build || true
[ -f make.log ] && grep -E "^error" make.log | head -5
exit 0
