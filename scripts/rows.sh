# Sourced by scripts/matrix.sh, scripts/dist.sh and scripts/dist-test.sh:
# the matrix rows, their chroots and their PHPs.
source "$(dirname "${BASH_SOURCE[0]}")/chroot.sh"
[ "$(id -u)" -eq 0 ] || die "runs as root (debootstrap and chroot)"

ALL_ROWS="8.2-nts 8.2-zts 8.4-nts 8.4-zts 8.5-nts 8.6-nts"
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

# zts_php DIR VERSION: a ZTS PHP CLI built once from Debian's own source
# package into DIR/opt/php-VERSION-zts (rebuilt when ZTS_CONFIGURE changes).
# The mirror does not always hold the source of the indexed versions; then
# the newest earlier upload still in the archive's pool is fetched, and
# dpkg-source checks its files against the .dsc (this PHP is only a test
# target: nothing built from it is shipped but the extension).
ZTS_CONFIGURE="--enable-zts --disable-all --enable-cli --disable-cgi --disable-phpdbg --enable-pcntl --with-openssl --without-pear"
zts_php() {
    local dir=$1 ver=$2
    [ "$(cat "$dir/opt/php-$ver-zts/.wxpay-configure" 2>/dev/null)" = "$ZTS_CONFIGURE" ] && return 0
    say "building PHP $ver ZTS from Debian's source package (once, a few minutes)"
    in_chroot "$dir" bash -c '
        set -e
        ver=$1 flags=$2
        rm -rf /opt/src "/opt/php-$ver-zts" && mkdir -p /opt/src && cd /opt/src
        fetched=0
        versions=$(apt-cache showsrc "php$ver" | sed -n "s/^Version: //p" | sort -rV)
        for v in $versions; do
            if apt-get source -qq "php$ver=$v" >/dev/null 2>&1; then fetched=1; break; fi
            rm -rf /opt/src/*
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
                    rm -rf /opt/src/*
                done
            done
        fi
        [ $fetched = 1 ] || { echo "no php$ver source package could be fetched" >&2; exit 1; }
        cd /opt/src/php"$ver"-*/
        echo "building from $(basename "$PWD")"
        ./buildconf --force >/dev/null 2>&1
        ./configure --prefix="/opt/php-$ver-zts" $flags >/dev/null
        make -j"$(nproc)" >/dev/null 2>&1 || make >/dev/null
        make install >/dev/null
        mkdir -p "/opt/php-$ver-zts/lib/php/build"
        cp run-tests.php "/opt/php-$ver-zts/lib/php/build/"
        echo "$flags" > "/opt/php-$ver-zts/.wxpay-configure"
        rm -rf /opt/src' zts "$ver" "$ZTS_CONFIGURE" >"$CACHE/php-$ver-zts.log" 2>&1 ||
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


# row_build ROW [PACKAGE...]: builds the extension (and PACKAGEs) for a row,
# after row_setup, into $CACHE/target-ROW with the environment
# tests/matrix-row.sh builds with, so a matrix build is reused as it is;
# sets SO to the built module's host path.
row_build() {
    local row=$1 p packages=(-p wxpay)
    shift
    for p in "$@"; do packages+=(-p "$p"); done
    WXPAY_CHROOT_RUST=1 in_chroot "$CHROOT" env PHP="$PHP_BIN" PHP_CONFIG="$PHP_CFG" \
        CARGO_TARGET_DIR="/cache/target-$row" PATH="/root/.cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
        bash -c 'cd /src && cargo build --release --quiet "$@"' build "${packages[@]}" || return 1
    SO=$CACHE/target-$row/release/libwxpay.so
}

# glibc_needed FILE: the newest GLIBC_x.y symbol version FILE references.
glibc_needed() { objdump -T "$1" | grep -oE 'GLIBC_[0-9.]+' | sort -uV | tail -1 | sed 's/GLIBC_//'; }
