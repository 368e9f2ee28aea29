#!/usr/bin/env bash
# Installs Debian packages only when they are missing. Idempotent and quiet
# when everything is present. Debian/Ubuntu, as root (or with sudo).
#   scripts/install-deps.sh build   what building the extension needs (make deps)
#   scripts/install-deps.sh test    what the suites and the demo start themselves, and
#                                   rustfmt and clippy for the lint suite (make test, make demo)
#   scripts/install-deps.sh matrix  chroots and packaging (make matrix, dist, dist-test), and
#                                   zig + cargo-zigbuild (scripts/floor.sh) into the matrix cache
# It never stops, disables or reconfigures a service: the suites start their
# own nginx, php-fpm and redis-server on their own ports and sockets.
set -euo pipefail
case "${1:-build}" in
build) packages=(php8.2-cli php8.2-dev libclang-dev clang) ;;
test)  packages=(php8.2-cli php8.2-curl php8.2-fpm nginx redis-server redis-sentinel valgrind curl openssl python3-minimal) ;;
matrix) packages=(debootstrap binutils zip unzip util-linux python3-pip) ;;
*) echo "usage: $0 build|test|matrix" >&2; exit 2 ;;
esac
[ -n "${WXPAY_EXTRA_PACKAGES:-}" ] && read -r -a extra <<<"$WXPAY_EXTRA_PACKAGES" && packages+=("${extra[@]}")

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "install-deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "${1:-build}" = build ]; then
    if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
        echo "install-deps: cargo is in ~/.cargo/bin; add it to PATH" >&2
    fi
    # The minimum is the workspace's rust-version (scripts/msrv.py keeps it true).
    need=$(sed -n 's/^rust-version = "\(.*\)"/\1/p' "$(dirname "$0")/../Cargo.toml" | head -1)
    rustc=$(command -v rustc || echo "$HOME/.cargo/bin/rustc")
    [ -x "$rustc" ] || {
        echo "install-deps: no Rust toolchain found; install one with rustup (Rust >= $need)" >&2
        exit 1
    }
    have=$("$rustc" --version | awk '{print $2}')
    if [ "$(printf '%s\n%s\n' "$need" "$have" | sort -V | head -1)" != "$need" ]; then
        echo "install-deps: $rustc is $have; wxpay and its locked dependencies need Rust $need or later" >&2
        echo "install-deps: update it (rustup update stable), or install a pre-built package (README)" >&2
        exit 1
    fi
fi

# The glibc-floor toolchain (scripts/floor.sh): two static binaries from the
# Python package index, pinned, into the matrix cache (never system-wide).
if [ "${1:-build}" = matrix ]; then
    floor=$(dirname "$0")/floor.sh
    zig=$(sed -n 's/^ZIG_VERSION=//p' "$floor")
    zigbuild=$(sed -n 's/^ZIGBUILD_VERSION=//p' "$floor")
    dir=${WXPAY_MATRIX_CACHE:-$HOME/.cache/wxpay-matrix}/zig-$zig-$zigbuild
    if ! [ -x "$dir/bin/cargo-zigbuild" ] || ! [ -x "$dir/ziglang/zig" ]; then
        echo "install-deps: zig $zig and cargo-zigbuild $zigbuild (Python package index) into $dir"
        rm -rf "$dir.tmp"
        PIP_BREAK_SYSTEM_PACKAGES=1 /usr/bin/python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore \
            --no-cache-dir --target "$dir.tmp" "ziglang==$zig" "cargo-zigbuild==$zigbuild"
        rm -rf "$dir" && mv "$dir.tmp" "$dir"
    fi
fi

# The lint suite's tools: rustup components of the toolchain that builds.
if [ "${1:-build}" = test ] && command -v rustup >/dev/null 2>&1; then
    for c in rustfmt clippy; do
        rustup component list --installed 2>/dev/null | grep -q "^$c" || {
            echo "install-deps: adding the rustup component $c"
            rustup component add "$c" >/dev/null
        }
    done
fi
