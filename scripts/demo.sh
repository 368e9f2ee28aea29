#!/usr/bin/env bash
# make demo: start wxpay-sandbox, run examples/deliver_notify.php against it
# (token, then notification), print WeChat's answer, stop the sandbox.
set -euo pipefail
cd "$(dirname "$0")/.."
SO=${WXPAY_SO:-$PWD/target/release/libwxpay.so}
dir=$PWD/build/demo-sandbox
mkdir -p "$dir"
rm -f "$dir/address"
target/release/wxpay-sandbox --state-dir "$dir" > "$dir/log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$dir/address" ] && break; sleep 0.1; done
[ -s "$dir/address" ] || { cat "$dir/log" >&2; exit 1; }
echo "wxpay-sandbox at $(cat "$dir/address") (CA $dir/ca.pem)"
echo "$ php examples/deliver_notify.php"
php -n -d "extension=$SO" -d "wxpay.api_base=$(cat "$dir/address")" -d "wxpay.cafile=$dir/ca.pem" \
    examples/deliver_notify.php
echo "recorded by the sandbox: $(tail -n 1 "$dir/notifications.jsonl")"
