# Sourced by the test scripts: what is under test, and where.
#   WXPAY_SO   the extension (default: the release build)
#   WXPAY_BIN  where wxpay-sandbox and wxpay-testproxy are (default: target/release)
#   PHP        the php binary (default: php on PATH)
WXPAY_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SO=${WXPAY_SO:-$WXPAY_ROOT/target/release/libwxpay.so}
BIN=${WXPAY_BIN:-$WXPAY_ROOT/target/release}
PHP=${PHP:-php}
export WXPAY_SO=$SO WXPAY_BIN=$BIN PHP
