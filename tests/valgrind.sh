#!/usr/bin/env bash
# memcheck over a short run of sign, notify, token and error paths
# (USE_ZEND_ALLOC=0 so every allocation is the system's). Fails on any
# invalid access, uninitialised use or definite leak with a frame in the
# extension. Prints "VALGRIND ok|FAIL ...".
set -uo pipefail
cd "$(dirname "$0")/.."
calls=${1:-300}
log=build/valgrind.log
mkdir -p build
SANDBOX_DIR=build/sandbox-memory tests/with-sandbox.sh bash -c 'USE_ZEND_ALLOC=0 ZEND_DONT_UNLOAD_MODULES=1 valgrind --tool=memcheck --leak-check=full \
    --errors-for-leak-kinds=definite --num-callers=40 --suppressions=tests/valgrind.supp --log-file='"$log"' \
    php -n -d extension=$PWD/target/release/libwxpay.so tests/memory.php '"$calls"' "$(cat build/sandbox-memory/address)" build/sandbox-memory/ca.pem' \
    | sed 's/^MEMORY/  (under valgrind)/'
# An error record runs from a "==pid== <kind>" line to the next blank record line.
ours=$(awk '/^==[0-9]+== (Invalid|Conditional|Use of uninit|Syscall param|Mismatched|[0-9,]+ bytes in [0-9,]+ blocks are definitely lost)/ {rec=1; buf=""}
            rec {buf = buf "\n" $0}
            rec && /^==[0-9]+== $/ {if (buf ~ /libwxpay/) {n++; print buf > "/dev/stderr"}; rec=0}
            END {print n+0}' "$log")
summary=$(grep -E "ERROR SUMMARY|definitely lost:" "$log" | sed 's/^==[0-9]*== //' | tr '\n' ' ')
if [ "$ours" = 0 ]; then
    echo "VALGRIND ok   no invalid access or definite leak in the extension ($calls sign + notify rounds; whole process: $summary)"
else
    echo "VALGRIND FAIL $ours error records with a frame in libwxpay.so (see $log)"
    exit 1
fi
