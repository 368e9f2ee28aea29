# Sourced by scripts/matrix.sh, scripts/dist.sh and scripts/dist-test.sh:
# the matrix rows, their chroots and their PHPs.
source "$(dirname "${BASH_SOURCE[0]}")/chroot.sh"
source "$(dirname "${BASH_SOURCE[0]}")/arm64.sh"
trap arm64_undo EXIT
[ "$(id -u)" -eq 0 ] || die "runs as root (debootstrap and chroot)"

ALL_ROWS="8.2-nts 8.2-zts 8.4-nts 8.4-zts 8.5-nts 8.6-nts 8.2-nts-arm64 8.4-nts-arm64 8.5-nts-arm64"
ALLOWED_TO_FAIL="8.6-nts"
TOOLS="build-essential clang libclang-dev redis-server procps"
ZTS_TOOLS="autoconf bison re2c pkg-config dpkg-dev libssl-dev"

# The build chroot of a suite, with what every row on it needs.
build_chroot() {
    case $1 in
    bookworm) WXPAY_DEB_SRC=1 chroot_with build-bookworm bookworm $TOOLS $ZTS_TOOLS php8.2-cli php8.2-dev ;;
    trixie) WXPAY_DEB_SRC=1 chroot_with build-trixie trixie $TOOLS $ZTS_TOOLS php8.4-cli php8.4-dev ;;
    sid) chroot_with build-sid sid $TOOLS php8.5-cli php8.5-dev php8.6-cli php8.6-dev ;;
    esac
}

# clean_chroot ROW: dist-test's chroot for an x86_64 Debian row: only that
# PHP's CLI and redis-server (and php-fpm on FPM_ROW), no build tool.
FPM_ROW=${DIST_TEST_FPM_ROW:-8.4-nts}
clean_chroot() {
    local ver=${1%%-*} suite pkgs
    suite=$(row_suite "$1") || return 1
    pkgs="php$ver-cli redis-server"
    [ "$1" = "$FPM_ROW" ] && pkgs="$pkgs php$ver-fpm libfcgi-bin"
    chroot_with "clean-$suite" "$suite" $pkgs
}

# legacy_chroot: bullseye (glibc 2.31) with what building PHP 8.2 there needs
# (dist-test's 8.2-nts-glibc231 row).
legacy_chroot() {
    chroot_with legacy-bullseye bullseye build-essential autoconf bison re2c pkg-config libssl-dev redis-server procps
}

# php_source VERSION: Debian's own php$VERSION source package, unpacked once
# into $CACHE/php-src/php$VERSION by the build chroot of the suite that
# carries it. The mirror does not always hold the source of the indexed
# versions; then the newest earlier upload still in the archive's pool is
# fetched, and dpkg-source checks its files against the .dsc (this PHP is
# only a test target: nothing built from it is shipped but the extension).
php_source() { locked "php-src-$1" fetch_php_source "$@"; }
fetch_php_source() {
    local ver=$1 dir
    [ -f "$CACHE/php-src/php$ver/.wxpay-unpacked" ] && return 0
    dir=$(build_chroot "$(row_suite "$ver-nts")") || return 1
    say "fetching Debian's php$ver source package (once)"
    in_chroot "$dir" bash -c '
        set -e
        ver=$1
        rm -rf "/cache/php-src/php$ver" && mkdir -p /cache/php-src/fetch && cd /cache/php-src/fetch
        rm -rf ./*
        fetched=0
        versions=$(apt-cache showsrc "php$ver" | sed -n "s/^Version: //p" | sort -rV)
        for v in $versions; do
            if apt-get source -qq "php$ver=$v" >/dev/null 2>&1; then fetched=1; break; fi
            rm -rf ./*
        done
        if [ $fetched = 0 ]; then
            pool=$(sed -n "s/^URIs: //p" /etc/apt/sources.list.d/debian.sources | head -1)/pool/main/p/php$ver
            top=$(printf "%s\n" $versions | sed -n "s/^[0-9]*\.[0-9]*\.\([0-9]*\)-.*/\1/p" | sort -n | tail -1)
            get() { /usr/lib/apt/apt-helper download-file "$pool/$1" "$1" >/dev/null 2>&1; }
            for n in $(seq "${top:-0}" -1 0); do
                for r in 1 2; do
                    dsc=php${ver}_$ver.$n-$r.dsc
                    get "$dsc" || continue
                    for f in $(awk "/^Files:/ {f = 1; next} /^[^ ]/ {f = 0} f && NF == 3 {print \$3}" "$dsc"); do get "$f" || true; done
                    if dpkg-source -x "$dsc" >/dev/null 2>&1; then fetched=1; break 2; fi
                    rm -rf ./*
                done
            done
        fi
        [ $fetched = 1 ] || { echo "no php$ver source package could be fetched" >&2; exit 1; }
        tree=$(ls -d php"$ver"-*/ | head -1)
        echo "${tree%/}" > "$tree/.wxpay-unpacked"
        mv "$tree" "/cache/php-src/php$ver"
        rm -rf /cache/php-src/fetch' php-source "$ver" >"$CACHE/php-$ver-source.log" 2>&1 ||
        { tail -30 "$CACHE/php-$ver-source.log" >&2; return 1; }
}

# built_php DIR VERSION KIND: a PHP CLI (KIND nts or zts) built once from
# php_source in chroot DIR into DIR/opt/php-VERSION-KIND (rebuilt when its
# configure flags change). Sets BUILT_PHP to that prefix (a chroot path).
PHP_CONFIGURE="--disable-all --enable-cli --disable-cgi --disable-phpdbg --enable-pcntl --with-openssl --without-pear"
built_php() { locked "php-$2-$3-${1##*/}" build_php "$@"; }
build_php() {
    local dir=$1 ver=$2 kind=$3 flags=$PHP_CONFIGURE
    [ "$kind" = zts ] && flags="--enable-zts $flags"
    BUILT_PHP=/opt/php-$ver-$kind
    [ "$(cat "$dir$BUILT_PHP/.wxpay-configure" 2>/dev/null)" = "$flags" ] && return 0
    php_source "$ver" || return 1
    say "building PHP $ver ${kind^^} in $(basename "$dir") from $(cat "$CACHE/php-src/php$ver/.wxpay-unpacked") (once, a few minutes)"
    in_chroot "$dir" bash -c '
        set -e
        prefix=$1 flags=$2 ver=$3
        rm -rf /opt/src "$prefix" && mkdir -p /opt && cp -a "/cache/php-src/php$ver" /opt/src && cd /opt/src
        ./buildconf --force >/dev/null 2>&1
        ./configure --prefix="$prefix" $flags >/dev/null
        make -j"$(nproc)" >/dev/null 2>&1 || make >/dev/null
        make install >/dev/null
        mkdir -p "$prefix/lib/php/build"
        cp run-tests.php "$prefix/lib/php/build/"
        echo "$flags" > "$prefix/.wxpay-configure"
        rm -rf /opt/src' php-build "$BUILT_PHP" "$flags" "$ver" >"$CACHE/php-$ver-$kind-$(basename "$dir").log" 2>&1 ||
        { tail -30 "$CACHE/php-$ver-$kind-$(basename "$dir").log" >&2; return 1; }
}

# row_suite ROW: the Debian suite whose chroot builds and tests ROW.
row_suite() {
    case ${1%%-*} in
    8.2) echo bookworm ;;
    8.4) echo trixie ;;
    8.5 | 8.6) echo sid ;;
    *) say "unknown row $1 (rows: $ALL_ROWS)"; return 1 ;;
    esac
}

# row_setup ROW: sets SUITE, PHP_BIN, PHP_CFG and RUN_TESTS_PHP for a row
# (paths inside its chroot) and makes sure its chroot and PHP exist. An
# arm64 row (8.4-nts-arm64) is tested in an emulated arm64 chroot with
# Debian's PHP, whose headers are copied out for the cross build.
row_setup() {
    local ver=${1%%-*} kind=${1#*-}
    kind=${kind%%-*}
    SUITE=$(row_suite "$1") || return 1
    if [[ $1 == *-arm64 ]]; then
        binfmt_arm64 || return 1
        CHROOT=$(arm64_chroot "$SUITE" $(arm64_packages "$ver")) || return 1
        arm64_headers "$CHROOT" "$ver" || return 1
        PHP_BIN=/usr/bin/php$ver
        PHP_CFG=/cache/arm64-php/$ver/php-config
        # run-tests.php is PHP, the same on every architecture: the build chroot's.
        local api
        api=$(basename "$(in_chroot "$CHROOT" "$PHP_BIN" -n -r 'echo PHP_EXTENSION_DIR;')")
        mkdir -p "$CHROOT/opt/run-tests"
        cp "$(build_chroot "$SUITE")/usr/lib/php/$api/build/run-tests.php" "$CHROOT/opt/run-tests/" || return 1
        RUN_TESTS_PHP=/opt/run-tests/run-tests.php
    elif [ "$kind" = zts ]; then
        CHROOT=$(build_chroot "$SUITE") || return 1
        built_php "$CHROOT" "$ver" zts || return 1
        PHP_BIN=$BUILT_PHP/bin/php
        PHP_CFG=$BUILT_PHP/bin/php-config
        RUN_TESTS_PHP=$BUILT_PHP/lib/php/build/run-tests.php
    else
        CHROOT=$(build_chroot "$SUITE") || return 1
        PHP_BIN=/usr/bin/php$ver
        PHP_CFG=/usr/bin/php-config$ver
        RUN_TESTS_PHP="" # PHP_EXTENSION_DIR/build/run-tests.php, from php8.x-dev
    fi
}

# rows_src: the rows build from a content mirror of the checkout
# ($CACHE/mirror-rows, scripts/mirror.py), synced once per run and locked
# for it, so a row's cached build is redone only for files whose content
# changed (a fresh clone's new file times alone do not rebuild it).
ROWS_SRC=
rows_src() {
    [ -n "$ROWS_SRC" ] && return 0
    exec 8>"$CACHE/mirror-rows.lock"
    flock 8
    python3 "$WXPAY_ROOT/scripts/mirror.py" "$WXPAY_ROOT" "$CACHE/mirror-rows" || return 1
    ROWS_SRC=$CACHE/mirror-rows
}

# row_seed ROW: a row built for the first time starts from a copy of the
# target dir of a row built in the same chroot (8.2-zts from 8.2-nts, an
# arm64 row from another), so only what depends on the PHP is compiled
# again: cargo reruns ext-php-rs's build script when PHP or PHP_CONFIG
# changes, and the dependencies' fingerprints do not depend on the row. A
# different chroot's build is never used (its build scripts found another
# libclang).
row_seed() {
    local row=$1 other
    [ -d "$CACHE/target-$row" ] && return 0
    for other in $ALL_ROWS; do
        [ "$other" != "$row" ] && [ -d "$CACHE/target-$other" ] || continue
        if [[ $row == *-arm64 ]]; then
            [[ $other == *-arm64 ]] || continue
        else
            [[ $other != *-arm64 ]] && [ "$(row_suite "$other")" = "$(row_suite "$row")" ] || continue
        fi
        say "$row: first build, starting from $other's target dir"
        rm -rf "$CACHE/target-$row.tmp"
        cp -a "$CACHE/target-$other" "$CACHE/target-$row.tmp" && mv "$CACHE/target-$row.tmp" "$CACHE/target-$row"
        return 0
    done
}

# row_build ROW [PACKAGE...]: builds the extension (and PACKAGEs) for a row,
# after row_setup, into $CACHE/target-ROW for glibc 2.17 (scripts/floor.sh):
# the module the matrix tests is the one make dist ships. Sets ROW_OUT to
# the host path of the built files and SO to the module's.
row_build() {
    local row=$1 p packages=(-p wxpay)
    shift
    rows_src || return 1
    row_seed "$row"
    [[ $row == *-arm64 ]] && { arm64_build "$row" "$@"; return; }
    for p in "$@"; do packages+=(-p "$p"); done
    WXPAY_ROOT=$ROWS_SRC WXPAY_CHROOT_RUST=1 in_chroot "$CHROOT" env PHP="$PHP_BIN" PHP_CONFIG="$PHP_CFG" \
        CARGO_TARGET_DIR="/cache/target-$row" PATH="/root/.cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
        bash -c 'cd /src && source scripts/floor.sh && cargo build --release --quiet --target "$FLOOR_TARGET" "$@"' \
        build "${packages[@]}" || return 1
    ROW_OUT=$CACHE/target-$row/$(uname -m)-unknown-linux-gnu/release # floor.sh's FLOOR_TARGET
    SO=$ROW_OUT/libwxpay.so
}

# glibc_needed FILE: the newest GLIBC_x.y symbol version FILE references
# (readelf reads every architecture's ELF; the host's objdump only its own).
glibc_needed() { readelf -W -V "$1" | grep -oE 'GLIBC_[0-9.]+' | sort -uV | tail -1 | sed 's/GLIBC_//'; }
