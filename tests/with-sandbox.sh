#!/usr/bin/env bash
# Runs a command with the suite's wxpay-sandbox up (state in build/sandbox,
# apps from tests/sandbox-apps.txt), then stops the sandbox.
#   tests/with-sandbox.sh php -d extension=... script.php
set -uo pipefail
cd "$(dirname "$0")/.."
source tests/lib.sh
dir=$PWD/${SANDBOX_DIR:-build/sandbox}
rm -rf "$dir"
mkdir -p "$dir"
"$BIN/wxpay-sandbox" --state-dir "$dir" --apps tests/sandbox-apps.txt > "$dir/log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
for _ in $(seq 300); do [ -s "$dir/address" ] && break; kill -0 $pid 2>/dev/null || break; sleep 0.1; done
if [ ! -s "$dir/address" ]; then
    echo "wxpay-sandbox did not start:" >&2
    cat "$dir/log" >&2
    exit 1
fi
export WXPAY_SANDBOX_DIR=$dir
"$@"
