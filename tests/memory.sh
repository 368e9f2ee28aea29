#!/usr/bin/env bash
# RSS over many sign + notify calls in one process, against the sandbox.
#   tests/memory.sh [CALLS]    (make soak: 100000)
set -uo pipefail
cd "$(dirname "$0")/.."
source tests/lib.sh
calls=${1:-100000}
SANDBOX_DIR=build/sandbox-memory tests/with-sandbox.sh bash -c '"$PHP" -n -d "extension=$WXPAY_SO" tests/memory.php '"$calls"' "$(cat build/sandbox-memory/address)" build/sandbox-memory/ca.pem'
