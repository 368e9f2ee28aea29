#!/usr/bin/env bash
# One matrix row, run inside its chroot by scripts/matrix.sh (the checkout is
# at /src, the row's cargo target dir under /cache):
#   tests/matrix-row.sh ROW PHP PHP_CONFIG RUN_TESTS
# (MATRIX_SO and MATRIX_BIN: a module and sandbox built elsewhere, tested as they are)
# Builds the extension against PHP as make dist ships it (scripts/floor.sh),
# then runs the phpt suite (with the host's wxpay-sandbox from
# /src/target/release: it does not depend on PHP) and the 100k sign and
# checkout differential tests.
set -uo pipefail
row=$1
export PHP=$2 PHP_CONFIG=$3
[ -n "${4:-}" ] && export RUN_TESTS=$4
export CARGO_TARGET_DIR=${CACHE_DIR:?} PATH=/root/.cargo/bin:$PATH
cd /src

echo "PHP version: $("$PHP" -n -r 'echo PHP_VERSION, PHP_ZTS ? " ZTS" : " NTS", " (extension API ", basename(PHP_EXTENSION_DIR), ")";')"
if [ -n "${MATRIX_SO:-}" ]; then
    # Built elsewhere (an arm64 row: cross-built, tested here under qemu).
    so=$MATRIX_SO bin=$MATRIX_BIN
else
    source scripts/floor.sh || exit 1
    cargo build --release --target "$FLOOR_TARGET" -p wxpay --quiet || { echo "build failed"; exit 1; }
    so=$CARGO_TARGET_DIR/$FLOOR_TARGET/release/libwxpay.so bin=/src/target/release
    echo "glibc needed: $(objdump -T "$so" | grep -oE 'GLIBC_[0-9.]+' | sort -uV | tail -1)"
fi
[ -x "$bin/wxpay-sandbox" ] || { echo "no $bin/wxpay-sandbox: make build first"; exit 1; }
"$PHP" -n -d "extension=$so" --ri wxpay | head -3

WXPAY_SO=$so WXPAY_BIN=$bin SANDBOX_DIR=build/matrix/$row/sandbox \
    WXPAY_SUITES="phpt differential" bash tests/run-all.sh
status=$?
# run-tests.php writes a failed test's .diff and .out beside the .phpt, where
# the next row's run would delete them: keep this row's.
mkdir -p "build/matrix/$row/failed"
cp php-tests/*.diff php-tests/*.out "build/matrix/$row/failed/" 2>/dev/null
exit $status
