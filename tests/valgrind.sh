#!/usr/bin/env bash
# memcheck over short runs of sign, notify, token and error paths
# (USE_ZEND_ALLOC=0 so every allocation is the system's). Fails on:
#   - an invalid access, uninitialised use or definite leak with a frame in
#     the extension;
#   - valgrind or php not finishing cleanly (a crash, an abort, a stack
#     overflow, valgrind itself broken), or a log without its summary;
#   - memory still reachable from the extension at exit that grows with the
#     number of calls (a run of N and one of 2N rounds are compared), which
#     is how a cache that keeps something per call shows up.
# Logs are fresh for every run (build/valgrind-RUN.log). Prints "VALGRIND ok|FAIL ...".
set -uo pipefail
cd "$(dirname "$0")/.."
source tests/lib.sh
calls=${1:-300}
mkdir -p build
rm -f build/valgrind-*.log
fails=0
say() { echo "VALGRIND $*"; }

# run N LOG: one memcheck run; prints the MEMORY line; returns php's status.
run() {
    local n=$1 log=$2
    SANDBOX_DIR=build/sandbox-memory tests/with-sandbox.sh bash -c 'USE_ZEND_ALLOC=0 ZEND_DONT_UNLOAD_MODULES=1 WXPAY_NO_RSS_VERDICT=1 \
        valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,reachable \
        --errors-for-leak-kinds=definite --num-callers=40 --suppressions=tests/valgrind.supp --log-file='"$log"' \
        "$PHP" -n -d "extension=$WXPAY_SO" tests/memory.php '"$n"' "$(cat build/sandbox-memory/address)" build/sandbox-memory/ca.pem 0'
}

# Error records with a frame in the extension.
ours() {
    awk '/^==[0-9]+== (Invalid|Conditional|Use of uninit|Syscall param|Mismatched|[0-9,]+ bytes in [0-9,]+ blocks are definitely lost)/ {rec=1; buf=""}
         rec {buf = buf "\n" $0}
         rec && /^==[0-9]+== $/ {if (buf ~ /libwxpay/) {n++; print buf > "/dev/stderr"}; rec=0}
         END {print n+0}' "$1"
}

# Bytes still reachable at exit in records with a frame in the extension.
reachable() {
    awk '/^==[0-9]+== [0-9,]+ bytes in [0-9,]+ blocks are still reachable/ {rec=1; buf=""; b=$2; gsub(",", "", b)}
         rec {buf = buf "\n" $0}
         rec && /^==[0-9]+== $/ {if (buf ~ /libwxpay/) sum += b; rec=0}
         END {print sum+0}' "$1"
}

declare -A bytes
for n in "$calls" "$((2 * calls))"; do
    log=build/valgrind-$n.log
    out=$(run "$n" "$log" 2>&1)
    status=$?
    echo "$out" | sed -n 's/^MEMORY/  (under valgrind)/p'
    if [ "$status" -ne 0 ] || ! grep -q '^MEMORY' <<<"$out"; then
        say "FAIL php under valgrind exited $status after $n rounds (crash, abort or stack overflow?): $(tail -3 <<<"$out" | tr '\n' ' ')"
        fails=$((fails + 1)); continue
    fi
    if ! grep -q "ERROR SUMMARY" "$log"; then
        say "FAIL valgrind wrote no summary to $log"; fails=$((fails + 1)); continue
    fi
    n_ours=$(ours "$log")
    if [ "$n_ours" != 0 ]; then
        say "FAIL $n_ours error records with a frame in libwxpay.so after $n rounds (see $log)"; fails=$((fails + 1))
    fi
    bytes[$n]=$(reachable "$log")
done
if [ "$fails" -eq 0 ]; then
    growth=$(( ${bytes[$((2 * calls))]} - ${bytes[$calls]} ))
    # Caches keep a few entries whatever the count; a per-call leak of even
    # 16 bytes adds 16 x N here.
    if [ "$growth" -gt $((8 * calls)) ]; then
        say "FAIL memory still reachable from the extension grows with the calls: ${bytes[$calls]} B after $calls rounds, ${bytes[$((2 * calls))]} B after $((2 * calls)) (+$growth B)"
        fails=$((fails + 1))
    else
        summary=$(grep -E "ERROR SUMMARY|definitely lost:" "build/valgrind-$((2 * calls)).log" | sed 's/^==[0-9]*== //' | tr '\n' ' ')
        say "ok   no invalid access or definite leak in the extension; still reachable from it: ${bytes[$calls]} B after $calls rounds, ${bytes[$((2 * calls))]} B after $((2 * calls)) (whole process: $summary)"
    fi
fi
[ "$fails" -eq 0 ]
