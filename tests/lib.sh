# Sourced by the test scripts: what is under test, and where.
#   WXPAY_SO   the extension (default: the release build)
#   WXPAY_BIN  where wxpay-sandbox and wxpay-testproxy are (default: target/release)
#   PHP        the php binary (default: php on PATH)
WXPAY_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SO=${WXPAY_SO:-$WXPAY_ROOT/target/release/libwxpay.so}
BIN=${WXPAY_BIN:-$WXPAY_ROOT/target/release}
PHP=${PHP:-php}
export WXPAY_SO=$SO WXPAY_BIN=$BIN PHP

# scratch NAME: $work, a new directory /tmp/NAME.XXXXXX, and $pids, the
# servers a script starts; on exit every one of them is killed and $work
# removed (INT, TERM and HUP end the script that way too).
scratch() {
    work=$(mktemp -d "/tmp/$1.XXXXXX")
    pids=()
    trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"' EXIT
    trap 'exit 130' INT TERM HUP
}
