#!/usr/bin/env bash
# One matrix row's tests, run inside its chroot by scripts/matrix.sh (the
# checkout at /src, the matrix cache at /cache), against a module built by
# row_build (scripts/rows.sh: as make dist ships it):
#   MATRIX_SO=MODULE MATRIX_BIN=SANDBOX_DIR tests/matrix-row.sh ROW PHP PHP_CONFIG RUN_TESTS
# Runs the phpt suite (with the sandbox in MATRIX_BIN) and the sign and
# checkout differential tests (100k each, or WXPAY_DIFF_COUNT).
set -uo pipefail
row=$1
export PHP=$2 PHP_CONFIG=$3
[ -n "${4:-}" ] && export RUN_TESTS=$4
so=${MATRIX_SO:?the module to test} bin=${MATRIX_BIN:?where wxpay-sandbox is}
cd /src

echo "PHP version: $("$PHP" -n -r 'echo PHP_VERSION, PHP_ZTS ? " ZTS" : " NTS", " (extension API ", basename(PHP_EXTENSION_DIR), ")";')"
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
