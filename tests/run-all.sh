#!/usr/bin/env bash
# Runs every suite against the built extension and prints, as its last line,
# "N passed, N failed" summed over all of them. Exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

SO=${WXPAY_SO:-$PWD/target/release/libwxpay.so}
PHP=${PHP:-php}
EXT_API=$("$PHP" -r 'echo PHP_EXTENSION_DIR;')
RUN_TESTS=${RUN_TESTS:-$(dirname "$EXT_API")/build/run-tests.php}
[ -f "$RUN_TESTS" ] || RUN_TESTS=$(ls /usr/lib/php/*/build/run-tests.php 2>/dev/null | head -1)

passed=0
failed=0
log_dir=$(mktemp -d)
trap 'rm -rf "$log_dir"' EXIT

note() { printf '\n== %s\n' "$*"; }

# 1. cargo test: the PHP-free core (and the sandbox).
note "cargo test"
cargo test --release -p wxpay-core -p wxpay-sandbox 2>&1 | tee "$log_dir/cargo.log" | grep -E "^test |test result|panicked|error(\[|:)"
if [ "${PIPESTATUS[0]}" -ne 0 ] && ! grep -q "test result" "$log_dir/cargo.log"; then
    failed=$((failed + 1)); echo "cargo test did not run"
fi
while read -r p f; do
    passed=$((passed + p)); failed=$((failed + f))
done < <(sed -nE 's/^test result: [a-zA-Z]+\. ([0-9]+) passed; ([0-9]+) failed.*/\1 \2/p' "$log_dir/cargo.log")

# 2. phpt: the PHP-facing contract, in real php processes, against a real
#    wxpay-sandbox over HTTPS on 127.0.0.1.
note "phpt (run-tests.php)"
"tests/with-sandbox.sh" env TEST_PHP_EXECUTABLE="$(command -v "$PHP")" "$PHP" -n "$RUN_TESTS" -q -n -p "$(command -v "$PHP")" \
    -d "extension=$SO" -j"${WXPAY_JOBS:-2}" --show-diff php-tests/ 2>&1 | tee "$log_dir/phpt.log" \
    | grep -vE '^(PASS|SKIP) ' | grep -vE '^\s*$'
p=$(sed -nE 's/^Tests passed *: *([0-9]+).*/\1/p' "$log_dir/phpt.log")
f=$(sed -nE 's/^Tests failed *: *([0-9]+).*/\1/p' "$log_dir/phpt.log")
b=$(sed -nE 's/^Tests borked *: *([0-9]+).*/\1/p' "$log_dir/phpt.log")
if [ -z "$p" ]; then
    failed=$((failed + 1)); echo "run-tests.php did not report"
else
    passed=$((passed + p)); failed=$((failed + ${f:-0} + ${b:-0}))
fi

# 3. End to end: nginx -> php-fpm -> examples/callback.php -> sandbox, Redis-shared
#    token, 2,000 callbacks from 16 clients, then a fault storm.
note "end to end (nginx + php-fpm + redis + sandbox)"
tests/e2e/run.sh "${WXPAY_E2E_CALLBACKS:-2000}" 16 2>&1 | tee "$log_dir/e2e.log"
p=$(grep -c '^CHECK ok' "$log_dir/e2e.log")
f=$(grep -c '^CHECK FAIL' "$log_dir/e2e.log")
passed=$((passed + p)); failed=$((failed + f))
[ "$p" -gt 0 ] || { failed=$((failed + 1)); echo "the end-to-end run did not get to its checks"; }

# 4. A short fuzz pass over the core (make fuzz runs the long one).
note "fuzz (short pass)"
scripts/fuzz.sh "${WXPAY_FUZZ_SECONDS:-15}" 2>&1 | tee "$log_dir/fuzz.log"
p=$(grep -c '^FUZZ ok' "$log_dir/fuzz.log")
f=$(grep -c '^FUZZ FAIL' "$log_dir/fuzz.log")
passed=$((passed + p)); failed=$((failed + f))
[ "$((p + f))" -gt 0 ] || { failed=$((failed + 1)); echo "the fuzzer did not run"; }

# 5. Memory: RSS flat over many calls in one process; memcheck on a short run.
note "memory (RSS over sign + notify) and valgrind"
{ tests/memory.sh "${WXPAY_MEMORY_CALLS:-20000}"; tests/valgrind.sh 300; } 2>&1 | tee "$log_dir/mem.log" | grep -E '^(MEMORY|VALGRIND|  )'
p=$(grep -cE '^(MEMORY ok|VALGRIND ok)' "$log_dir/mem.log")
passed=$((passed + p)); failed=$((failed + 2 - p))

# 6. make install, staged under a temporary root.
note "make install"
if tests/install.sh; then passed=$((passed + 1)); else failed=$((failed + 1)); fi

# 7. The randomized differential test of the signature.
note "sign differential"
if "$PHP" -n -d "extension=$SO" tests/sign_differential.php "${WXPAY_DIFF_COUNT:-100000}" ${WXPAY_DIFF_SEED:-}; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
fi

# Last: nothing any suite printed, and nothing the sandbox logged or recorded,
# holds a secret of the test apps (the e2e run scans its own logs too).
note "secrets scan"
leaks=0
while read -r _ secret appkey; do
    for s in "$secret" "$appkey"; do
        if grep -rqF -- "$s" build/sandbox/ "$log_dir"/ 2>/dev/null; then
            echo "a secret of a test app was found in build/sandbox or the suites' output"; leaks=$((leaks + 1))
        fi
    done
done < <(grep -v '^#' tests/sandbox-apps.txt)
if [ "$leaks" -eq 0 ] && [ -s build/sandbox/notifications.jsonl ]; then
    echo "no appsecret or appkey in the suites' output, $(wc -l < build/sandbox/notifications.jsonl) recorded notifications or the sandbox log"
    passed=$((passed + 1))
else
    failed=$((failed + 1))
fi

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
