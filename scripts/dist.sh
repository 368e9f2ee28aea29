#!/usr/bin/env bash
# make dist: release artifacts that need no Rust where they are installed,
# built in the matrix chroots (scripts/rows.sh) into dist/:
#   php_wxpay-VERSION_phpX.Y-x86_64-linux-glibc-{nts,zts}.zip   PIE pre-packaged binaries
#     (and the same as .tar.gz, for systems without unzip): one folder of
#     that name with wxpay.so, INSTALL, README.md, reference.md, examples/
#   phpX.Y-wxpay_VERSION-1_amd64.deb                            for Debian's own PHP packages
#   wxpay-sandbox-VERSION-x86_64-linux-glibc.tar.gz             the sandbox and test proxy
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
ROWS=${DIST_ROWS:-8.2-nts 8.2-zts 8.4-nts 8.4-zts 8.5-nts}
OUT=dist
rm -rf "$OUT" && mkdir -p "$OUT"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# docs DIR: what a shop reads after installing: the README, the reference
# and the example scripts (callback, ship, drain, requeue, ...).
docs() {
    install -d "$1/examples"
    install -m 0644 README.md "$1/README.md"
    install -m 0644 docs/reference.md "$1/reference.md"
    install -m 0644 examples/*.php "$1/examples/"
}

# deb ROW API SO: phpX.Y-wxpay for Debian's phpX.Y packages.
deb() {
    local ver=$1 api=$2 so=$3 glibc=$4 pkg=php$1-wxpay root=$stage/deb-$1
    mkdir -p "$root/DEBIAN" "$root/usr/lib/php/$api" "$root/etc/php/$ver/mods-available" "$root/usr/share/doc/$pkg"
    install -m 0644 "$so" "$root/usr/lib/php/$api/wxpay.so"
    install -m 0644 packaging/wxpay.ini "$root/etc/php/$ver/mods-available/wxpay.ini"
    install -m 0644 LICENSE "$root/usr/share/doc/$pkg/copyright"
    docs "$root/usr/share/doc/$pkg"
    echo "/etc/php/$ver/mods-available/wxpay.ini" >"$root/DEBIAN/conffiles"
    sed -e "s/@PKG@/$pkg/g" -e "s/@VERSION@/$VERSION/g" -e "s/@ARCH@/$DEB_ARCH/g" -e "s/@API@/$api/g" \
        -e "s/@PHP@/$ver/g" -e "s/@GLIBC@/$glibc/g" -e "s/@SIZE@/$(du -sk "$root" | cut -f1)/g" \
        packaging/deb/control >"$root/DEBIAN/control"
    for script in postinst prerm postrm; do
        sed "s/@PHP@/$ver/g" "packaging/deb/$script" >"$root/DEBIAN/$script"
        chmod 0755 "$root/DEBIAN/$script"
    done
    dpkg-deb --root-owner-group -Zxz --build "$root" "$OUT/${pkg}_$VERSION-1_$DEB_ARCH.deb" >/dev/null
}

# floor_check WHAT VERSION: fails when a binary needs a newer glibc than the
# floor every artifact promises (README, docs/compatibility.md).
FLOOR=$(sed -n 's/.*WXPAY_FLOOR_GLIBC=\([0-9.]*\).*/\1/p' scripts/floor.sh)
floor_check() {
    [ "$(printf '%s\n%s\n' "$2" "$FLOOR" | sort -V | tail -1)" = "$FLOOR" ] && return 0
    say "$1 needs glibc $2, above the floor $FLOOR: not shipped"
    return 1
}

status=0
for row in $ROWS; do
    ver=${row%-*} kind=${row#*-}
    extra=()
    [ "$row" = 8.2-nts ] && extra=(wxpay-sandbox)
    if ! row_setup "$row" || ! row_build "$row" "${extra[@]}"; then
        say "$row: build failed"
        status=1
        continue
    fi
    name="php_wxpay-${VERSION}_php$ver-$ARCH-linux-glibc-$kind"
    dir=$stage/$row/$name
    mkdir -p "$dir"
    strip --strip-unneeded -o "$dir/wxpay.so" "$SO"
    glibc=$(glibc_needed "$dir/wxpay.so")
    floor_check "$name/wxpay.so" "$glibc" || { status=1; continue; }
    sed -e "s/@PHP@/$ver/g" -e "s/@KIND@/${kind^^}/g" -e "s/@GLIBC@/$glibc/g" packaging/INSTALL >"$dir/INSTALL"
    cp LICENSE "$dir/"
    docs "$dir"
    # One folder (Composer, and so PIE, takes a single top folder's content).
    (cd "$stage/$row" && zip -q -X -r "$WXPAY_ROOT/$OUT/$name.zip" "$name" &&
        tar --owner=0 --group=0 -czf "$WXPAY_ROOT/$OUT/$name.tar.gz" "$name")
    echo "$name.zip (and .tar.gz): needs glibc $glibc"
    if [ "$kind" = nts ]; then
        api=$(in_chroot "$CHROOT" "$PHP_CFG" --phpapi) || api=
        deb "$ver" "${api:?no phpapi from $PHP_CFG}" "$dir/wxpay.so" "$glibc"
        echo "php$ver-wxpay_$VERSION-1_$DEB_ARCH.deb: Depends phpapi-$api, libc6 (>= $glibc)"
    fi
    # The sandbox from the oldest glibc, so it runs on every row's system.
    if [ "$row" = 8.2-nts ]; then
        sb=$stage/wxpay-sandbox-$VERSION
        mkdir -p "$sb"
        strip -o "$sb/wxpay-sandbox" "$ROW_OUT/wxpay-sandbox"
        strip -o "$sb/wxpay-testproxy" "$ROW_OUT/wxpay-testproxy"
        for b in wxpay-sandbox wxpay-testproxy; do
            floor_check "$b" "$(glibc_needed "$sb/$b")" || status=1
        done
        cp LICENSE packaging/SANDBOX.md "$sb/"
        cp docs/reference.md "$sb/reference.md"
        tar -C "$stage" -czf "$OUT/wxpay-sandbox-$VERSION-$ARCH-linux-glibc.tar.gz" "wxpay-sandbox-$VERSION"
        echo "wxpay-sandbox-$VERSION-$ARCH-linux-glibc.tar.gz: needs glibc $(glibc_needed "$sb/wxpay-sandbox")"
    fi
done
cp composer.json "$OUT/"
(cd "$OUT" && sha256sum -- * >SHA256SUMS)
ls -l "$OUT"
exit $status
