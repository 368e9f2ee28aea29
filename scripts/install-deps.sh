#!/usr/bin/env bash
# Installs what building and testing wxpay needs, only when it is missing.
# Idempotent and quiet when everything is present. Debian/Ubuntu, as root
# (or with sudo).
set -euo pipefail

packages=(php8.2-cli php8.2-dev php8.2-curl php8.2-fpm nginx libclang-dev clang redis-server valgrind curl)
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
    # Debian may start these services on install; the tests start their own.
    if command -v systemctl >/dev/null; then
        $sudo systemctl disable --now redis-server nginx php8.2-fpm >/dev/null 2>&1 || true
    fi
fi

if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
    echo "install-deps: cargo is in ~/.cargo/bin; add it to PATH" >&2
fi
command -v cargo >/dev/null 2>&1 || [ -x "$HOME/.cargo/bin/cargo" ] || {
    echo "install-deps: no Rust toolchain found; install one with rustup (Rust >= 1.85)" >&2
    exit 1
}
