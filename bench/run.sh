#!/usr/bin/env bash
# make bench: every figure is a median over rounds, and every claim a ratio
# against a baseline measured in this same run.
set -euo pipefail
cd "$(dirname "$0")/.."
SO=${WXPAY_SO:-$PWD/target/release/libwxpay.so}
PHP=${PHP:-php}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r)"
echo "php: $("$PHP" -n -r 'echo PHP_VERSION;'), opcache off (CLI default)"
echo

# --- signing
"$PHP" -n -d "extension=$SO" bench/sign.php "$tmp/joined" > "$tmp/sign"
cargo bench -q -p wxpay-core --bench sha1_floor -- "$tmp/joined" 2>/dev/null > "$tmp/floor"
ext=$(awk '$1=="sign_ext_ns"{print $2}' "$tmp/sign")
php=$(awk '$1=="sign_php_ns"{print $2}' "$tmp/sign")
floor=$(awk '$1=="sha1_floor_ns"{print $2}' "$tmp/floor")
echo "== wx_deliver_sign, the seed's eight fields ($(wc -c < "$tmp/joined") joined bytes)"
printf '  %-42s %8.1f ns/call\n' "wx_deliver_sign()" "$ext" "PHP rule (get_biz_sign as written)" "$php" "SHA-1 floor (Rust alone, joined bytes)" "$floor"
awk -v e="$ext" -v p="$php" -v f="$floor" 'BEGIN {
    printf "  speed-up over the PHP rule: %.1fx (target >= 8x)  %s\n", p / e, (p / e >= 8 ? "met" : "MISSED");
    printf "  distance from the SHA-1 floor: %.2fx (target <= 2.5x)  %s\n", e / f, (e / f <= 2.5 ? "met" : "MISSED");
}'
