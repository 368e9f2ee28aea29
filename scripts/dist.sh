#!/usr/bin/env bash
# make dist: release artifacts that need no Rust where they are installed,
# built in the matrix chroots (scripts/rows.sh) into dist/:
#   php_wxpay-VERSION_phpX.Y-x86_64-linux-glibc-{nts,zts}.zip   PIE pre-packaged binaries
#     (and the same as .tar.gz, for systems without unzip): one folder of
#     that name with wxpay.so, INSTALL, README.md, reference.md, examples/
#   phpX.Y-wxpay_VERSION-1_amd64.deb                            for Debian's own PHP packages
#   wxpay-sandbox-VERSION-x86_64-linux-glibc.tar.gz             the sandbox and test proxy
#   and for arm64 (rows 8.2/8.4/8.5-nts-arm64, cross-built: scripts/arm64.sh):
#   php_wxpay-VERSION_phpX.Y-arm64-linux-glibc-nts.zip, phpX.Y-wxpay_VERSION-1_arm64.deb,
#   wxpay-sandbox-VERSION-aarch64-linux-glibc.tar.gz
#   composer.json, SHA256SUMS
# Every binary is built for glibc 2.17 (scripts/floor.sh) and checked: a
# newer symbol version fails the build.
# DIST_ROWS picks rows (default: every row but the 8.6 release candidate).
set -euo pipefail
source "$(dirname "$0")/rows.sh"
cd "$WXPAY_ROOT"

VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
ARCH=$(uname -m)
DEB_ARCH=$(dpkg --print-architecture)
ROWS=${DIST_ROWS:-8.2-nts 8.2-zts 8.4-nts 8.4-zts 8.5-nts 8.2-nts-arm64 8.4-nts-arm64 8.5-nts-arm64}
OUT=dist
rm -rf "$OUT" && mkdir -p "$OUT"
stage=$(mktemp -d)
trap 'rm -rf "$stage"; arm64_undo' EXIT

# docs DIR: what a shop reads after installing: the README, the reference
# and the example scripts (callback, ship, drain, requeue, ...).
docs() {
    install -d "$1/examples"
    install -m 0644 README.md "$1/README.md"
    install -m 0644 docs/reference.md "$1/reference.md"
    install -m 0644 examples/*.php "$1/examples/"
}

# deb VERSION API SO GLIBC ARCH: phpX.Y-wxpay for Debian's phpX.Y packages.
deb() {
    local ver=$1 api=$2 so=$3 glibc=$4 deb_arch=$5 pkg=php$1-wxpay root=$stage/deb-$1-$5
    mkdir -p "$root/DEBIAN" "$root/usr/lib/php/$api" "$root/etc/php/$ver/mods-available" "$root/usr/share/doc/$pkg"
    install -m 0644 "$so" "$root/usr/lib/php/$api/wxpay.so"
    install -m 0644 packaging/wxpay.ini "$root/etc/php/$ver/mods-available/wxpay.ini"
    install -m 0644 LICENSE "$root/usr/share/doc/$pkg/copyright"
    docs "$root/usr/share/doc/$pkg"
    echo "/etc/php/$ver/mods-available/wxpay.ini" >"$root/DEBIAN/conffiles"
    sed -e "s/@PKG@/$pkg/g" -e "s/@VERSION@/$VERSION/g" -e "s/@ARCH@/$deb_arch/g" -e "s/@API@/$api/g" \
        -e "s/@PHP@/$ver/g" -e "s/@GLIBC@/$glibc/g" -e "s/@SIZE@/$(du -sk "$root" | cut -f1)/g" \
        packaging/deb/control >"$root/DEBIAN/control"
    for script in postinst prerm postrm; do
        sed "s/@PHP@/$ver/g" "packaging/deb/$script" >"$root/DEBIAN/$script"
        chmod 0755 "$root/DEBIAN/$script"
    done
    dpkg-deb --root-owner-group -Zxz --build "$root" "$OUT/${pkg}_$VERSION-1_$deb_arch.deb" >/dev/null
}

# floor_check WHAT VERSION: fails when a binary needs a newer glibc than the
# floor every artifact promises (README, docs/compatibility.md).
FLOOR=$(sed -n 's/.*WXPAY_FLOOR_GLIBC=\([0-9.]*\).*/\1/p' scripts/floor.sh)
floor_check() {
    [ "$(printf '%s\n%s\n' "$2" "$FLOOR" | sort -V | tail -1)" = "$FLOOR" ] && return 0
    say "$1 needs glibc $2, above the floor $FLOOR: not shipped"
    return 1
}

# strip_to SRC DST: a stripped copy; the host's strip reads only x86_64, and
# arm64 files come out of their link without symbols already.
strip_to() {
    if [[ $row == *-arm64 ]]; then install -m 0755 "$1" "$2"; else strip --strip-unneeded -o "$2" "$1"; fi
}

# The rows whose build also gives the sandbox tarball of their architecture.
SANDBOX_ROWS="8.2-nts 8.4-nts-arm64"

status=0
for row in $ROWS; do
    ver=${row%%-*} kind=${row#*-}
    kind=${kind%%-*}
    # PIE and Debian call the architectures x86_64/amd64 and arm64/arm64.
    arch=$ARCH deb_arch=$DEB_ARCH uname_arch=$ARCH
    [[ $row == *-arm64 ]] && arch=arm64 deb_arch=arm64 uname_arch=aarch64
    extra=()
    [[ " $SANDBOX_ROWS " == *" $row "* ]] && extra=(wxpay-sandbox)
    if ! row_setup "$row" || ! row_build "$row" "${extra[@]}"; then
        say "$row: build failed"
        status=1
        continue
    fi
    name="php_wxpay-${VERSION}_php$ver-$arch-linux-glibc-$kind"
    dir=$stage/$row/$name
    mkdir -p "$dir"
    strip_to "$SO" "$dir/wxpay.so"
    glibc=$(glibc_needed "$dir/wxpay.so")
    floor_check "$name/wxpay.so" "$glibc" || { status=1; continue; }
    sed -e "s/@PHP@/$ver/g" -e "s/@KIND@/${kind^^}/g" -e "s/@GLIBC@/$glibc/g" -e "s/@ARCH@/$uname_arch/g" \
        packaging/INSTALL >"$dir/INSTALL"
    cp LICENSE "$dir/"
    docs "$dir"
    # One folder (Composer, and so PIE, takes a single top folder's content).
    (cd "$stage/$row" && zip -q -X -r "$WXPAY_ROOT/$OUT/$name.zip" "$name" &&
        tar --owner=0 --group=0 -czf "$WXPAY_ROOT/$OUT/$name.tar.gz" "$name")
    echo "$name.zip (and .tar.gz): needs glibc $glibc"
    if [ "$kind" = nts ]; then
        api=$(in_chroot "$CHROOT" "$PHP_CFG" --phpapi) || api=
        deb "$ver" "${api:?no phpapi from $PHP_CFG}" "$dir/wxpay.so" "$glibc" "$deb_arch"
        echo "php$ver-wxpay_$VERSION-1_$deb_arch.deb: Depends phpapi-$api, libc6 (>= $glibc)"
    fi
    if [ "${extra[*]}" = wxpay-sandbox ]; then
        sb=$stage/$uname_arch/wxpay-sandbox-$VERSION
        mkdir -p "$sb"
        strip_to "$ROW_OUT/wxpay-sandbox" "$sb/wxpay-sandbox"
        strip_to "$ROW_OUT/wxpay-testproxy" "$sb/wxpay-testproxy"
        for b in wxpay-sandbox wxpay-testproxy; do
            floor_check "$b" "$(glibc_needed "$sb/$b")" || status=1
        done
        cp LICENSE packaging/SANDBOX.md "$sb/"
        cp docs/reference.md "$sb/reference.md"
        tar -C "$stage/$uname_arch" -czf "$OUT/wxpay-sandbox-$VERSION-$uname_arch-linux-glibc.tar.gz" "wxpay-sandbox-$VERSION"
        echo "wxpay-sandbox-$VERSION-$uname_arch-linux-glibc.tar.gz: needs glibc $(glibc_needed "$sb/wxpay-sandbox")"
    fi
done
cp composer.json "$OUT/"
(cd "$OUT" && sha256sum -- * >SHA256SUMS)
ls -l "$OUT"
exit $status
