# Sourced by scripts/rows.sh: arm64 (aarch64) rows, built on this x86_64
# machine and tested under emulation.
#
# Build: a cross build in a trixie amd64 chroot ($CACHE/cross-arm64) with
# Debian's rustc-web and cargo-web and libstd-rust-web-dev:arm64 (the only
# aarch64 standard library to be had here), zig for the C parts and the
# link (scripts/floor.sh: glibc 2.17, as on x86_64), and bindgen reading the
# arm64 PHP's own headers, copied out of the row's arm64 chroot into
# $CACHE/arm64-php/VERSION with its php-config (prefix moved) and a `php`
# that prints that PHP's `php -i` (what ext-php-rs's build reads).
#
# Test: arm64 chroots made by `debootstrap --foreign --arch=arm64` and its
# second stage, run through Debian's qemu-user (unpacked into the cache,
# never installed) registered with binfmt_misc under a name of our own for
# the run only: a registration already there is used and left alone, and
# ours is removed, and binfmt_misc unmounted if we mounted it, when the
# script exits.

ARM64_QEMU=$CACHE/qemu/usr/bin/qemu-aarch64
BINFMT=/proc/sys/fs/binfmt_misc
ARM64_MAGIC='\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00'
ARM64_MASK='\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
ARM64_UNDO=()

# cross_chroot: the build chroot ($CACHE/cross-arm64), with the qemu-user
# binary unpacked beside it.
cross_chroot() { locked cross-arm64 make_cross_chroot; }
make_cross_chroot() {
    local dir=$CACHE/cross-arm64 base
    # libc6-dev:arm64: the C headers bindgen reads for aarch64 (a dependency
    # of libstd-rust-web-dev:arm64 no longer brings it).
    local want="rustc-web cargo-web libstd-rust-web-dev:arm64 libc6-dev:arm64 gcc-aarch64-linux-gnu build-essential clang libclang-dev"
    if [ "$(cat "$dir.ready" 2>/dev/null)" != "$want" ] || [ ! -d "$dir" ]; then
        base=$(chroot_base trixie) || return 1
        say "preparing cross-arm64: $want (once; cached in $dir)"
        rm -rf "$dir" && cp -a "$base" "$dir"
        in_chroot "$dir" sh -c "dpkg --add-architecture arm64 && apt-get update -qq &&
            apt-get install -y -qq --no-install-recommends $want >/dev/null" || { say "cross-arm64: apt failed"; return 1; }
        echo "$want" >"$dir.ready"
    fi
    if [ ! -x "$ARM64_QEMU" ]; then
        in_chroot "$dir" sh -c 'rm -rf /tmp/qemu && mkdir /tmp/qemu && cd /tmp/qemu && apt-get download -qq qemu-user' ||
            { say "downloading qemu-user failed"; return 1; }
        rm -rf "$CACHE/qemu" && dpkg-deb -x "$dir"/tmp/qemu/qemu-user_*.deb "$CACHE/qemu" && rm -rf "$dir/tmp/qemu"
    fi
    echo "$dir"
}

# The arm64 lane of scripts/prepare.sh holds this lock until it has exited.
# Its binfmt registration is removed when it exits, so a run that would use
# it waits for the lane first: arm64_lane_wait.
ARM64_LANE_LOCK=$CACHE/locks/arm64-lane.lock
arm64_lane_wait() {
    local from=$SECONDS
    mkdir -p "${ARM64_LANE_LOCK%/*}"
    flock -w 3600 "$ARM64_LANE_LOCK" true || { say "the arm64 lane of scripts/prepare.sh is still running after an hour"; return 1; }
    [ $((SECONDS - from)) -gt 0 ] && say "waited $((SECONDS - from)) s for the arm64 lane of the background preparation"
    return 0
}

# binfmt_arm64: arm64 binaries run through qemu from here on (undone on exit).
binfmt_arm64() {
    local f
    if ! mountpoint -q "$BINFMT"; then
        mount -t binfmt_misc binfmt_misc "$BINFMT" || { say "cannot mount binfmt_misc"; return 1; }
        ARM64_UNDO+=("umount $BINFMT")
    fi
    for f in "$BINFMT"/*; do
        case ${f##*/} in register | status) continue ;; esac
        grep -q '^enabled' "$f" && grep -q "^magic $(printf "$ARM64_MAGIC" | od -An -tx1 | tr -d ' \n')" "$f" && return 0
    done
    printf ':wxpay-aarch64:M::%s:%s:%s:FP\n' "$ARM64_MAGIC" "$ARM64_MASK" "$ARM64_QEMU" >"$BINFMT/register" ||
        { say "cannot register qemu-aarch64 with binfmt_misc"; return 1; }
    ARM64_UNDO=("echo -1 > $BINFMT/wxpay-aarch64" "${ARM64_UNDO[@]}")
}

# arm64_undo: what binfmt_arm64 changed, undone (rows.sh traps EXIT with it).
arm64_undo() {
    local u
    for u in "${ARM64_UNDO[@]}"; do eval "$u" 2>/dev/null; done
    ARM64_UNDO=()
}

# arm64_packages VERSION: what an arm64 row's chroot holds: PHP's CLI and
# FPM (dist-test's request), redis-server and openssl for the phpt suite; no
# build tool, so dist-test installs the .deb into a copy of it.
arm64_packages() { echo "php$1-cli php$1-fpm libfcgi-bin redis-server procps openssl ca-certificates"; }

# arm64_chroot SUITE PACKAGES...: an arm64 chroot of SUITE with PACKAGES
# ($CACHE/arm64-SUITE), after binfmt_arm64.
arm64_chroot() { locked "arm64-$1" make_arm64_chroot "$@"; }
make_arm64_chroot() {
    local suite=$1 dir=$CACHE/arm64-$1 want
    shift
    want=$(words "$@")
    if [ "$(cat "$dir.ready" 2>/dev/null)" != "$want" ] || [ ! -d "$dir" ]; then
        if [ ! -f "$dir.base" ] || [ ! -d "$dir" ]; then
            rm -rf "$dir" "$dir.base"
            say "debootstrap --arch=arm64 $suite, second stage under qemu (once; cached in $dir)"
            { debootstrap --foreign --arch=arm64 --variant=minbase "$suite" "$dir" &&
                chroot "$dir" /debootstrap/debootstrap --second-stage; } >"$CACHE/debootstrap-arm64-$suite.log" 2>&1 ||
                { tail -20 "$CACHE/debootstrap-arm64-$suite.log" >&2; say "debootstrap arm64 $suite failed"; return 1; }
            chroot_sources "$dir" "$suite"
            touch "$dir.base"
        fi
        say "preparing arm64-$suite: $want (under qemu, once)"
        in_chroot "$dir" sh -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends $want >/dev/null" ||
            { say "installing $want in arm64-$suite failed"; return 1; }
        echo "$want" >"$dir.ready"
    fi
    echo "$dir"
}

# arm64_headers DIR VERSION: the arm64 php$VERSION-dev package of chroot DIR
# unpacked (not installed: the chroot stays free of build tools for
# dist-test) into $CACHE/arm64-php/VERSION, with its php-config's prefix
# moved there and a `php` that prints DIR's `php -i`; fetched again only
# when the chroot's PHP (its version, its php -i) changes.
arm64_headers() { locked "arm64-php-$2" unpack_arm64_headers "$@"; }
unpack_arm64_headers() {
    local dir=$1 ver=$2 out=$CACHE/arm64-php/$2 info version deb
    info=$(in_chroot "$dir" "php$ver" -n -i) || return 1
    # php$VERSION-dev comes from the same source upload as the CLI.
    version=$(in_chroot "$dir" dpkg-query -W -f='${Version}' "php$ver-cli") || return 1
    [ "$(cat "$out/php-i.txt" 2>/dev/null)" = "$info" ] && [ "$(cat "$out/version" 2>/dev/null)" = "$version" ] && return 0
    in_chroot "$dir" sh -c "rm -rf /tmp/dev && mkdir -m 0777 /tmp/dev && cd /tmp/dev && apt-get download -qq php$ver-dev=$version" ||
        return 1
    deb=$(basename "$dir"/tmp/dev/*.deb)
    rm -rf "$out" && mkdir -p "$out"
    dpkg-deb -x "$dir/tmp/dev/$deb" "$out" || return 1
    sed "s|^prefix=\"/usr\"|prefix=\"/cache/arm64-php/$ver/usr\"|" "$out/usr/bin/php-config$ver" >"$out/php-config"
    printf '%s\n' "$info" >"$out/php-i.txt"
    printf '#!/bin/sh\n# php -i of the arm64 PHP %s (what the build reads of it)\ncat /cache/arm64-php/%s/php-i.txt\n' \
        "$ver" "$ver" >"$out/php"
    chmod +x "$out/php" "$out/php-config"
    echo "$version" >"$out/version"
    rm -rf "$dir/tmp/dev"
}

# arm64_build ROW [PACKAGE...]: cross-builds the extension (and PACKAGEs)
# for ROW (8.4-nts-arm64) from the rows' mirror (rows_src) into
# $CACHE/target-ROW; sets ROW_OUT and SO.
arm64_build() {
    local row=$1 ver=${1%%-*} cross p packages=(-p wxpay)
    shift
    for p in "$@"; do packages+=(-p "$p"); done
    cross=$(cross_chroot) || return 1
    WXPAY_ROOT=$ROWS_SRC WXPAY_CHROOT_RUST=1 in_chroot "$cross" env CARGO_HOME=/root/.cargo CARGO_TARGET_DIR="/cache/target-$row" \
        PHP="/cache/arm64-php/$ver/php" PHP_CONFIG="/cache/arm64-php/$ver/php-config" WXPAY_FLOOR_ARCH=aarch64 \
        bash -c 'cd /src && source scripts/floor.sh && cargo build --release --quiet --target "$FLOOR_TARGET" "$@"' \
        build "${packages[@]}" || return 1
    ROW_OUT=$CACHE/target-$row/aarch64-unknown-linux-gnu/release
    SO=$ROW_OUT/libwxpay.so
}
