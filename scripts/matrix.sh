#!/usr/bin/env bash
# The support matrix: for each row, build the extension and the sandbox
# against that PHP, then run the phpt suite and the 100k sign differential
# test with it, inside a Debian chroot (make matrix, make matrix ROWS=8.4-nts).
#
#   row      where                                   PHP
#   8.2-nts  bookworm chroot                         Debian's php8.2
#   8.2-zts  bookworm chroot                         built from Debian's php8.2 source, --enable-zts
#   8.4-nts  trixie chroot                           Debian's php8.4
#   8.4-zts  trixie chroot                           built from Debian's php8.4 source, --enable-zts
#   8.5-nts  sid chroot, php from experimental       Debian's php8.5
#   8.6-nts  sid chroot, php from experimental       Debian's php8.6 RC (reported, allowed to fail)
#   8.2-nts-arm64, 8.4-nts-arm64, 8.5-nts-arm64  cross-built (scripts/arm64.sh), tested in an
#            arm64 bookworm, trixie or sid chroot under qemu with Debian's arm64 PHP;
#            differential tests over 20,000 (ARM64_DIFF_COUNT)
#
# Rows named in MATRIX_REDUCED are tested in part: the module loads, the
# *_basic phpts pass and the differential tests run over 2,000. make test
# reduces the arm64 rows of 8.2 and 8.5 this way (qemu runs PHP about 90x
# slower: CI's time, docs/testing.md); make matrix runs every row in full.
#
# Chroots, built PHPs and each row's cargo target dir live in
# $WXPAY_MATRIX_CACHE (default ~/.cache/wxpay-matrix) and are reused: a second
# run costs only the builds and the tests. Prints "MATRIX ok ROW" or
# "MATRIX FAIL ROW" per row (an allowed failure prints "MATRIX allowed ROW")
# and writes build/matrix/results.md. Root only (debootstrap, chroot).
set -uo pipefail
source "$(dirname "$0")/rows.sh"
cd "$WXPAY_ROOT"

ROWS=${ROWS:-$ALL_ROWS}
ARM64_DIFF_COUNT=${ARM64_DIFF_COUNT:-20000}
REDUCED=${MATRIX_REDUCED:-}

mkdir -p build/matrix
results=build/matrix/results.md
printf '| row | result | PHP | built in | glibc needed |\n|---|---|---|---|---|\n' >"$results"
failures=0
for row in $ROWS; do
    log=build/matrix/$row.log
    [[ $row == *-arm64 ]] && { arm64_lane_wait || exit 1; }
    echo "== $row"
    verdict=FAIL
    # Built as make dist builds it (row_build: glibc floor, content mirror),
    # then tested in the row's chroot: an arm64 row's under qemu, with the
    # arm64 sandbox and without what emulation cannot time (tests/emulated-skip.txt);
    # an x86_64 row's with the host's sandbox (it does not depend on PHP).
    extra=() env=(MATRIX_BIN=/src/target/release)
    [[ $row == *-arm64 ]] && extra=(wxpay-sandbox) env=(WXPAY_DIFF_COUNT="$ARM64_DIFF_COUNT" WXPAY_EMULATED=1)
    reduced=
    [[ " $REDUCED " == *" $row "* ]] && reduced=" (reduced)" env+=(WXPAY_PHPT="php-tests/*_basic.phpt" WXPAY_DIFF_COUNT=2000)
    if row_setup "$row" >"$log" 2>&1 && row_build "$row" "${extra[@]}" >>"$log" 2>&1; then
        echo "glibc needed: GLIBC_$(glibc_needed "$SO")" >>"$log"
        [[ $row == *-arm64 ]] && env+=(MATRIX_BIN="/cache/${ROW_OUT#"$CACHE"/}")
        in_chroot "$CHROOT" env MATRIX_SO="/cache/${SO#"$CACHE"/}" "${env[@]}" \
            bash /src/tests/matrix-row.sh "$row" "$PHP_BIN" "$PHP_CFG" "$RUN_TESTS_PHP" >>"$log" 2>&1 &&
            verdict=ok
    fi
    grep -E "^(== |[0-9]+ passed|PHP |glibc |(sign|checkout) differential: [0-9]|.*(FAIL|failed|error)|Tests (passed|failed|skipped))" "$log" | tail -25
    php_version=$(sed -n 's/^PHP version: //p' "$log" | head -1)
    glibc=$(sed -n 's/^glibc needed: //p' "$log" | head -1)
    summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)
    if [ "$verdict" = ok ]; then
        echo "MATRIX ok $row$reduced ($summary)"
    elif [[ " $ALLOWED_TO_FAIL " == *" $row "* ]]; then
        verdict="allowed to fail: failed"
        echo "MATRIX allowed $row (failed; allowed to fail: ${summary:-see $log})"
    else
        echo "MATRIX FAIL $row (${summary:-see $log})"
        failures=$((failures + 1))
    fi
    printf '| %s | %s%s %s | %s | %s | %s |\n' "$row" "$verdict" "$reduced" "${summary:+($summary)}" "${php_version:-?}" \
        "$(date -u +%Y-%m-%d)" "${glibc:-?}" >>"$results"
done
echo
cat "$results"
[ "$failures" -eq 0 ]
