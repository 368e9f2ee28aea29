#!/usr/bin/env bash
# Tests the harness itself: runs tests/run-all.sh with a suite made to fail
# the hard way, and checks that its last line says "N failed" with N >= 1 and
# that it exits non-zero. Prints "PROBE ok|FAIL ...".
#   WXPAY_PROBE=cargo-abort  a cargo test calls abort() (sandbox/src/main.rs)
#   WXPAY_PROBE=phpt-crash   a phpt kills its own php with SIGSEGV (php-tests/harness_probe.phpt)
#   WXPAY_PROBE=e2e-die      the end-to-end run is killed after its first phase
set -uo pipefail
cd "$(dirname "$0")/.."
fails=0
probe() { # probe WHAT SUITE PROBE [VAR=VALUE...]
    local what=$1 suite=$2 kind=$3
    shift 3
    local out status last
    out=$(env "$@" WXPAY_PROBE="$kind" WXPAY_SUITES="$suite" tests/run-all.sh 2>&1)
    status=$?
    last=$(tail -n 1 <<<"$out")
    if [[ $last =~ ^[0-9]+\ passed,\ ([0-9]+)\ failed$ ]] && [ "${BASH_REMATCH[1]}" -ge 1 ] && [ "$status" -ne 0 ]; then
        echo "PROBE ok   $what: \"$last\", exit $status"
    else
        echo "PROBE FAIL $what: \"$last\", exit $status"
        tail -n 15 <<<"$out" | sed 's/^/    /'
        fails=$((fails + 1))
    fi
}
probe "a cargo test that aborts" cargo cargo-abort
probe "a phpt that crashes php" phpt phpt-crash WXPAY_PHPT=php-tests/harness_probe.phpt SANDBOX_DIR=build/sandbox-probe
probe "an end-to-end run that dies half way" e2e e2e-die WXPAY_E2E_CALLBACKS=200
exit "$fails"
