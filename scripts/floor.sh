# Sourced inside a build chroot (the checkout at /src, the matrix cache at
# /cache) by tests/matrix-row.sh and scripts/rows.sh: cargo builds for
# $FLOOR_TARGET link against glibc 2.17's symbol versions, so every shipped
# binary loads on CentOS 7 and newer. zig (with its own glibc stubs) compiles
# the C parts (ring, the bundled SQLite, src/engine.c) and links; bindgen
# still reads the chroot's own headers with its libclang. `cargo zigbuild`
# itself is not used: it hands bindgen zig's clang-19 headers, which crash
# older libclangs.
#   FLOOR_TARGET  the Rust target; built files are under $CARGO_TARGET_DIR/$FLOOR_TARGET/release
ZIG_VERSION=0.14.1
ZIGBUILD_VERSION=0.24.1
FLOOR_TOOLS=/cache/zig-$ZIG_VERSION-$ZIGBUILD_VERSION
export WXPAY_FLOOR_GLIBC=2.17 WXPAY_FLOOR_ARCH=x86_64
FLOOR_TARGET=x86_64-unknown-linux-gnu
[ -x "$FLOOR_TOOLS/bin/cargo-zigbuild" ] && [ -x "$FLOOR_TOOLS/ziglang/zig" ] ||
    { echo "no zig in $FLOOR_TOOLS: make matrix-deps installs it" >&2; return 1; }
export PATH=$FLOOR_TOOLS/bin:$FLOOR_TOOLS/ziglang:$PATH
export ZIG_GLOBAL_CACHE_DIR=/cache/zig-cache
export CC_x86_64_unknown_linux_gnu=/src/scripts/zig/cc AR_x86_64_unknown_linux_gnu=/src/scripts/zig/ar
export CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER=/src/scripts/zig/cc
