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
#
# Chroots, built PHPs and each row's cargo target dir live in
# $WXPAY_MATRIX_CACHE (default ~/.cache/wxpay-matrix) and are reused: a second
# run costs only the builds and the tests. Prints "MATRIX ok ROW" or
# "MATRIX FAIL ROW" per row (an allowed failure prints "MATRIX allowed ROW")
# and writes build/matrix/results.md. Root only (debootstrap, chroot).
set -uo pipefail
source "$(dirname "$0")/chroot.sh"
cd "$WXPAY_ROOT"

ALL_ROWS="8.2-nts 8.2-zts 8.4-nts 8.4-zts 8.5-nts 8.6-nts"
ROWS=${ROWS:-$ALL_ROWS}
ALLOWED_TO_FAIL="8.6-nts"
TOOLS="build-essential clang libclang-dev redis-server procps"
ZTS_TOOLS="autoconf bison re2c pkg-config dpkg-dev"

[ "$(id -u)" -eq 0 ] || die "runs as root (debootstrap and chroot)"

# The build chroot of a suite, with what every row on it needs.
build_chroot() {
    case $1 in
    bookworm) WXPAY_DEB_SRC=1 chroot_with build-bookworm bookworm $TOOLS $ZTS_TOOLS php8.2-cli php8.2-dev ;;
    trixie) WXPAY_DEB_SRC=1 chroot_with build-trixie trixie $TOOLS $ZTS_TOOLS php8.4-cli php8.4-dev ;;
    sid) chroot_with build-sid sid $TOOLS php8.5-cli php8.5-dev php8.6-cli php8.6-dev ;;
    esac
}

# zts_php DIR VERSION: a ZTS PHP CLI built once from Debian's own source
# package into DIR/opt/php-VERSION-zts. The newest (security) version's
# source is sometimes not in the pool yet; an earlier one is then used.
zts_php() {
    local dir=$1 ver=$2
    [ -x "$dir/opt/php-$ver-zts/bin/php" ] && return 0
    say "building PHP $ver ZTS from Debian's source package (once, a few minutes)"
    in_chroot "$dir" bash -c '
        set -e
        ver=$1
        rm -rf /opt/src && mkdir -p /opt/src && cd /opt/src
        fetched=0
        for v in "" $(apt-cache showsrc "php$ver" | sed -n "s/^Version: //p" | sort -rV); do
            if apt-get source -qq "php$ver${v:+=$v}" >/dev/null 2>&1; then fetched=1; break; fi
            rm -rf /opt/src/*
        done
        [ $fetched = 1 ] || { echo "no php$ver source package could be fetched" >&2; exit 1; }
        cd /opt/src/php"$ver"-*/
        ./buildconf --force >/dev/null 2>&1
        ./configure --prefix="/opt/php-$ver-zts" --enable-zts --disable-all --enable-cli --disable-cgi \
            --disable-phpdbg --enable-pcntl --without-pear >/dev/null
        make -j"$(nproc)" >/dev/null 2>&1 || make >/dev/null
        make install >/dev/null
        mkdir -p "/opt/php-$ver-zts/lib/php/build"
        cp run-tests.php "/opt/php-$ver-zts/lib/php/build/"
        rm -rf /opt/src' zts "$ver" >"$CACHE/php-$ver-zts.log" 2>&1 ||
        { tail -30 "$CACHE/php-$ver-zts.log" >&2; return 1; }
}

# row_setup ROW: sets SUITE, PHP_BIN, PHP_CFG and RUN_TESTS_PHP for a row
# (paths inside its chroot) and makes sure its chroot and PHP exist.
row_setup() {
    local ver=${1%-*} kind=${1#*-}
    case $ver in
    8.2) SUITE=bookworm ;;
    8.4) SUITE=trixie ;;
    8.5 | 8.6) SUITE=sid ;;
    *) die "unknown row $1 (rows: $ALL_ROWS)" ;;
    esac
    CHROOT=$(build_chroot "$SUITE") || return 1
    if [ "$kind" = zts ]; then
        zts_php "$CHROOT" "$ver" || return 1
        PHP_BIN=/opt/php-$ver-zts/bin/php
        PHP_CFG=/opt/php-$ver-zts/bin/php-config
        RUN_TESTS_PHP=/opt/php-$ver-zts/lib/php/build/run-tests.php
    else
        PHP_BIN=/usr/bin/php$ver
        PHP_CFG=/usr/bin/php-config$ver
        RUN_TESTS_PHP="" # PHP_EXTENSION_DIR/build/run-tests.php, from php8.x-dev
    fi
}

mkdir -p build/matrix
results=build/matrix/results.md
printf '| row | result | PHP | built in | glibc needed |\n|---|---|---|---|---|\n' >"$results"
failures=0
for row in $ROWS; do
    log=build/matrix/$row.log
    echo "== $row"
    verdict=FAIL
    if row_setup "$row" >"$log" 2>&1; then
        WXPAY_CHROOT_RUST=1 in_chroot "$CHROOT" env CACHE_DIR="/cache/target-$row" \
            bash /src/tests/matrix-row.sh "$row" "$PHP_BIN" "$PHP_CFG" "$RUN_TESTS_PHP" >>"$log" 2>&1 &&
            verdict=ok
    fi
    grep -E "^(== |[0-9]+ passed|PHP |glibc |sign differential: [0-9]|.*(FAIL|failed|error)|Tests (passed|failed|skipped))" "$log" | tail -25
    php_version=$(sed -n 's/^PHP version: //p' "$log" | head -1)
    glibc=$(sed -n 's/^glibc needed: //p' "$log" | head -1)
    summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)
    if [ "$verdict" = ok ]; then
        echo "MATRIX ok $row ($summary)"
    elif [[ " $ALLOWED_TO_FAIL " == *" $row "* ]]; then
        verdict="allowed to fail: failed"
        echo "MATRIX allowed $row (failed; allowed to fail: ${summary:-see $log})"
    else
        echo "MATRIX FAIL $row (${summary:-see $log})"
        failures=$((failures + 1))
    fi
    printf '| %s | %s %s | %s | %s | %s |\n' "$row" "$verdict" "${summary:+($summary)}" "${php_version:-?}" \
        "$(date -u +%Y-%m-%d)" "${glibc:-?}" >>"$results"
done
echo
cat "$results"
[ "$failures" -eq 0 ]
