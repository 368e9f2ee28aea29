# Sourced by scripts/matrix.sh, scripts/dist.sh and scripts/dist-test.sh:
# the matrix rows, their chroots and their PHPs.
source "$(dirname "${BASH_SOURCE[0]}")/chroot.sh"
[ "$(id -u)" -eq 0 ] || die "runs as root (debootstrap and chroot)"

ALL_ROWS="8.2-nts 8.2-zts 8.4-nts 8.4-zts 8.5-nts 8.6-nts"
ALLOWED_TO_FAIL="8.6-nts"
TOOLS="build-essential clang libclang-dev redis-server procps"
ZTS_TOOLS="autoconf bison re2c pkg-config dpkg-dev"

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

# row_suite ROW: the Debian suite whose chroot builds and tests ROW.
row_suite() {
    case ${1%-*} in
    8.2) echo bookworm ;;
    8.4) echo trixie ;;
    8.5 | 8.6) echo sid ;;
    *) say "unknown row $1 (rows: $ALL_ROWS)"; return 1 ;;
    esac
}

# row_setup ROW: sets SUITE, PHP_BIN, PHP_CFG and RUN_TESTS_PHP for a row
# (paths inside its chroot) and makes sure its chroot and PHP exist.
row_setup() {
    local ver=${1%-*} kind=${1#*-}
    SUITE=$(row_suite "$1") || return 1
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


# row_build ROW: builds the extension and the sandbox for a row (after
# row_setup) into $CACHE/target-ROW; sets SO to the built module's host path.
row_build() {
    local row=$1
    WXPAY_CHROOT_RUST=1 in_chroot "$CHROOT" env PHP="$PHP_BIN" PHP_CONFIG="$PHP_CFG" \
        CARGO_TARGET_DIR="/cache/target-$row" PATH="/root/.cargo/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
        bash -c 'cd /src && cargo build --release --workspace --quiet' || return 1
    SO=$CACHE/target-$row/release/libwxpay.so
}

# glibc_needed FILE: the newest GLIBC_x.y symbol version FILE references.
glibc_needed() { objdump -T "$1" | grep -oE 'GLIBC_[0-9.]+' | sort -uV | tail -1 | sed 's/GLIBC_//'; }
