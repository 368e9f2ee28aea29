# Sourced inside a build chroot (the checkout at /src, the matrix cache at
# /cache) by scripts/rows.sh and scripts/arm64.sh (row_build, arm64_build):
# cargo builds for $FLOOR_TARGET link against glibc 2.17's symbol versions,
# so every shipped binary loads on CentOS 7 and newer. zig (with its own
# glibc stubs) compiles the C parts (ring, the bundled SQLite, src/engine.c)
# and links; bindgen still reads the chroot's own headers with its libclang.
# `cargo zigbuild` itself is not used: it hands bindgen zig's clang-19
# headers, which crash older libclangs.
#   WXPAY_FLOOR_ARCH  x86_64 (default) or aarch64 (a cross build)
#   FLOOR_TARGET      the Rust target; built files are under $CARGO_TARGET_DIR/$FLOOR_TARGET/release
ZIG_VERSION=0.14.1
ZIGBUILD_VERSION=0.24.1
FLOOR_TOOLS=/cache/zig-$ZIG_VERSION-$ZIGBUILD_VERSION
export WXPAY_FLOOR_GLIBC=2.17 WXPAY_FLOOR_ARCH=${WXPAY_FLOOR_ARCH:-x86_64}
FLOOR_TARGET=$WXPAY_FLOOR_ARCH-unknown-linux-gnu
[ -x "$FLOOR_TOOLS/bin/cargo-zigbuild" ] && [ -x "$FLOOR_TOOLS/ziglang/zig" ] ||
    { echo "no zig in $FLOOR_TOOLS: make matrix-deps installs it" >&2; return 1; }
export PATH=$PATH:$FLOOR_TOOLS/bin:$FLOOR_TOOLS/ziglang
export ZIG_GLOBAL_CACHE_DIR=/cache/zig-cache
floor_env=$(echo "$FLOOR_TARGET" | tr a-z- A-Z_)
export "CC_${FLOOR_TARGET//-/_}=/src/scripts/zig/cc" "AR_${FLOOR_TARGET//-/_}=/src/scripts/zig/ar"
export "CARGO_TARGET_${floor_env}_LINKER=/src/scripts/zig/cc"
unset floor_env
