#!/usr/bin/env bash
# Runs every suite against the built extension and prints, as its last line,
# "N passed, N failed" summed over all of them. Exits non-zero on any failure.
#
# A suite's own exit status always counts: one that crashes, is killed or
# stops reporting half way is at least one failure, whatever it printed
# before. WXPAY_SUITES picks suites (default: all, in this order):
#   lint cargo phpt e2e outbox ha fuzz memory install phpize differential probes matrix dist secrets
set -uo pipefail
cd "$(dirname "$0")/.."
# session_of PID: the session id in /proc/PID/stat (after the command name:
# state, ppid, pgrp, session).
session_of() {
    local line
    IFS= read -r line < "/proc/$1/stat" || return
    set -- ${line##*) }
    echo "$4"
}

# Every process a suite starts is in this run's own session (unless it
# makes one of its own), whatever title it gives itself (php-fpm, nginx and
# redis-server overwrite their environment with it): the last check lists
# the session's live processes. A nested run (the harness probes) has its own.
if [ "$(session_of $$)" != $$ ]; then
    exec setsid --wait bash "$PWD/tests/run-all.sh" "$@"
fi

source tests/lib.sh
EXT_API=$("$PHP" -r 'echo PHP_EXTENSION_DIR;')
RUN_TESTS=${RUN_TESTS:-$EXT_API/build/run-tests.php}
[ -f "$RUN_TESTS" ] || RUN_TESTS=$(ls /usr/lib/php/*/build/run-tests.php 2>/dev/null | head -1)
SUITES=${WXPAY_SUITES:-lint cargo phpt e2e outbox ha fuzz memory install phpize differential probes matrix dist secrets}

passed=0
failed=0
log_dir=$(mktemp -d)
trap 'rm -rf "$log_dir"' EXIT

# left_running: pids of live processes in this run's session, but this
# shell (the loop runs here, so no helper of it is listed).
left_running() {
    local f pid line
    for f in /proc/[0-9]*/stat; do
        pid=${f#/proc/}
        pid=${pid%/stat}
        [ "$pid" = $$ ] || [ "$pid" = "$BASHPID" ] && continue
        IFS= read -r line < "$f" 2>/dev/null || continue
        # After the command name: state, ppid, pgrp, session.
        set -- ${line##*) }
        [ "${4:-}" = $$ ] && [ "$1" != Z ] && echo "$pid"
    done
}

# note TITLE: a suite's heading; the time since the last heading is the
# previous suite's, listed at the end (docs/testing.md: where the time goes).
timings=() timed=
note() {
    [ -n "$timed" ] && timings+=("$timed $((SECONDS - timed_from))s")
    timed=$1 timed_from=$SECONDS
    printf '\n== %s\n' "$*"
}
want() { [[ " $SUITES " == *" $1 "* ]]; }

# The chroots and PHPs the matrix and dist-test need are prepared in the
# background from the start (scripts/prepare.sh: on a cold cache, half an
# hour of mostly waiting work), niced, in two lanes. Each chroot and PHP is
# made under a lock of its own (scripts/chroot.sh: locked), so a matrix row
# waits only for what it needs and its build overlaps the rest of the lanes;
# the arm64 rows also wait for the whole arm64 lane, which holds a lock of
# its own until its qemu registration is undone (scripts/arm64.sh:
# arm64_lane_wait). make dist waits for both lanes.
declare -A prepare_pid=()
if want matrix || want dist; then
    for lane in x86_64 arm64; do
        nice -n 10 bash scripts/prepare.sh "$lane" > "$log_dir/prepare-$lane.log" 2>&1 &
        prepare_pid[$lane]=$!
    done
fi
prepared() { # prepared LANE...: waits for those lanes, and shows what they did
    local lane from=$SECONDS
    for lane in "$@"; do
        [ -n "${prepare_pid[$lane]:-}" ] || continue
        wait "${prepare_pid[$lane]}"
        unset "prepare_pid[$lane]"
        echo "$lane lane of the background preparation done (waited $((SECONDS - from)) s for it):"
        sed 's/^/  /' "$log_dir/prepare-$lane.log"
    done
}

# account NAME STATUS PASSED FAILED [EXPECTED]: adds a suite's counts; a
# non-zero status with no failure reported, no result at all, or fewer
# results than expected, is a failure of its own.
account() {
    local name=$1 status=$2 p=$3 f=$4 expected=${5:-}
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "$name: exited with status $status but reported no failure (a crash or a kill?): counted as a failure"
        failed=$((failed + 1))
    elif [ $((p + f)) -eq 0 ]; then
        echo "$name: reported no result: counted as a failure"
        failed=$((failed + 1))
    fi
    if [ -n "$expected" ] && [ $((p + f)) -lt "$expected" ]; then
        echo "$name: $((p + f)) of its $expected checks ran: the missing ones count as failures"
        failed=$((failed + expected - p - f))
    fi
}

# 0. lint: rustfmt's layout and clippy with every warning an error, over
#    the whole workspace and its tests, the core's layers, rust-version
#    against the locked dependencies, and the content mirror the cached
#    builds read (five checks).
if want lint; then
    note "lint (cargo fmt --check, cargo clippy -D warnings, the core's layers, rust-version, mirror)"
    p=0 f=0
    if cargo fmt --all -- --check > "$log_dir/fmt.log" 2>&1; then
        echo "LINT ok cargo fmt --check"; p=$((p + 1))
    else
        head -40 "$log_dir/fmt.log"; echo "LINT FAIL cargo fmt --check (run cargo fmt --all)"; f=$((f + 1))
    fi
    # In make test's content mirror (scripts/mirrored.sh): the build's dependencies are reused.
    if scripts/mirrored.sh host cargo clippy --workspace --all-targets --release -q -- -D warnings > "$log_dir/clippy.log" 2>&1; then
        echo "LINT ok cargo clippy --workspace --all-targets -- -D warnings"; p=$((p + 1))
    else
        head -60 "$log_dir/clippy.log"; echo "LINT FAIL cargo clippy -D warnings"; f=$((f + 1))
    fi
    if python3 scripts/layers.py; then p=$((p + 1)); else f=$((f + 1)); fi
    if python3 scripts/msrv.py; then p=$((p + 1)); else f=$((f + 1)); fi
    if python3 tests/mirror_test.py; then p=$((p + 1)); else f=$((f + 1)); fi
    account "lint" 0 "$p" "$f" 5
fi

# 1. cargo test: the PHP-free core (and the sandbox), in make test's content
#    mirror. --no-fail-fast: a binary that aborts must not hide the others.
if want cargo; then
    note "cargo test"
    scripts/mirrored.sh host cargo test --release --no-fail-fast -p wxpay-core -p wxpay-sandbox > "$log_dir/cargo.log" 2>&1
    status=$?
    grep -E "^test |test result|panicked|error(\[|:)|process didn't exit|signal:" "$log_dir/cargo.log"
    read -r p f < <(sed -nE 's/^test result: [a-zA-Z]+\. ([0-9]+) passed; ([0-9]+) failed.*/\1 \2/p' "$log_dir/cargo.log" \
        | awk '{p += $1; f += $2} END {print p+0, f+0}')
    account "cargo test" "$status" "$p" "$f"
fi

# 2. phpt: the PHP-facing contract, in real php processes, against a real
#    wxpay-sandbox over HTTPS on 127.0.0.1. 8 at a time: the suite mostly
#    waits (timeouts, retries, servers starting; ~5 s of CPU in a 70 s run
#    at -j2), so 8 halve its time without loading the machine.
#    Under emulation (WXPAY_EMULATED=1: an arm64 row under qemu-user) the
#    CPU is the bound: 2 at a time, and the phpts that bound wall time
#    (tests/emulated-skip.txt, with why) are left out, and listed.
if want phpt; then
    note "phpt (run-tests.php)"
    jobs=${WXPAY_JOBS:-8} phpts=${WXPAY_PHPT:-php-tests/}
    if [ "${WXPAY_EMULATED:-0}" = 1 ]; then
        jobs=${WXPAY_JOBS:-2}
        if [ -z "${WXPAY_PHPT:-}" ]; then
            left_out=$(sed -n 's/^\([a-z0-9_]*\.phpt\) .*/\1/p' tests/emulated-skip.txt)
            echo "emulated: left out (tests/emulated-skip.txt):" $left_out
            phpts=$(ls php-tests/*.phpt | grep -vxF -f <(printf 'php-tests/%s\n' $left_out) | tr '\n' ' ')
        fi
    fi
    tests/with-sandbox.sh env TEST_PHP_EXECUTABLE="$(command -v "$PHP")" "$PHP" -n "$RUN_TESTS" -q -n -p "$(command -v "$PHP")" \
        -d "extension=$SO" -j"$jobs" --show-diff $phpts > "$log_dir/phpt.log" 2>&1
    status=$?
    grep -vE '^(PASS|SKIP) ' "$log_dir/phpt.log" | grep -vE '^\s*$|^TEST [0-9]+/' | sed -E 's/^.*\r//'
    p=$(sed -nE 's/^Tests passed *: *([0-9]+).*/\1/p' "$log_dir/phpt.log")
    f=$(sed -nE 's/^Tests failed *: *([0-9]+).*/\1/p' "$log_dir/phpt.log")
    b=$(sed -nE 's/^Tests borked *: *([0-9]+).*/\1/p' "$log_dir/phpt.log")
    account "phpt" "$status" "${p:-0}" "$(( ${f:-0} + ${b:-0} ))"
fi

# 3. End to end: nginx -> php-fpm -> examples/callback.php -> sandbox, Redis-shared
#    token, 2,000 callbacks from 16 clients, then a fault storm.
if want e2e; then
    note "end to end (nginx + php-fpm + redis + sandbox)"
    tests/e2e/run.sh "${WXPAY_E2E_CALLBACKS:-2000}" 16 > "$log_dir/e2e.log" 2>&1
    status=$?
    cat "$log_dir/e2e.log"
    account "end to end" "$status" "$(grep -c '^CHECK ok' "$log_dir/e2e.log")" "$(grep -c '^CHECK FAIL' "$log_dir/e2e.log")" \
        "$(grep -c '^check "' tests/e2e/run.sh)"
fi

# lines NAME LABEL EXPECTED COMMAND...: runs a script that prints "LABEL ok"
# and "LABEL FAIL" lines, and accounts for them and its exit status.
lines() {
    local name=$1 label=$2 expected=$3 log="$log_dir/$1.log"
    shift 3
    "$@" > "$log" 2>&1
    local status=$?
    grep -vE '^\s*$' "$log"
    account "$name" "$status" "$(grep -c "^$label ok" "$log")" "$(grep -c "^$label FAIL" "$log")" "$expected"
}

# 4. The outbox under load and failure: refusals, concurrent drainers,
#    kill -9 storms, a Redis restart.
if want outbox; then
    note "outbox (SQLite and Redis: refusals, 3 drainers, kill -9 storms, a Redis restart)"
    lines outbox OUTBOX "$(grep -c '^check "' tests/outbox/run.sh)" tests/outbox/run.sh "${WXPAY_OUTBOX_COUNT:-5000}"
fi

# 4b. Shared state across a Redis failover: a primary, a replica and three
#    sentinels; tokens shared through Sentinel, the primary kill -9'd while
#    enqueuing and draining (with and without wxpay.outbox_replicas); a
#    Cluster: tokens through it, the outbox's slot migrated mid-drain.
if want ha; then
    note "Redis failover and Cluster (Sentinel, wxpay.outbox_replicas, a slot migrated mid-drain)"
    lines ha HA "$(grep -c '^check "' tests/ha/run.sh)" tests/ha/run.sh "${WXPAY_HA_COUNT:-150}"
fi

# 5. A short fuzz pass over the core (make fuzz runs the long one).
if want fuzz; then
    note "fuzz (short pass)"
    lines fuzz FUZZ 4 scripts/mirrored.sh fuzz bash scripts/fuzz.sh "${WXPAY_FUZZ_SECONDS:-15}"
fi

# 6. Memory: RSS flat over many calls in one process; memcheck on short runs.
if want memory; then
    note "memory (RSS over sign + notify) and valgrind"
    lines memory MEMORY 1 tests/memory.sh "${WXPAY_MEMORY_CALLS:-20000}"
    lines valgrind VALGRIND 1 tests/valgrind.sh 300
fi

# 7. make install, staged under a temporary root.
if want install; then
    note "make install"
    tests/install.sh
    status=$?
    account "make install" "$status" "$((status == 0))" "$((status != 0))"
fi

# 6b. The source build PIE falls back to (phpize, configure, make).
if want phpize; then
    note "phpize build (PIE's source fallback)"
    lines phpize PHPIZE 2 tests/phpize.sh
fi

# 8. The randomized differential tests: the signature, and the checkout
#    side (WxPay\Helper and the wx_*_request functions), each against a
#    plain-PHP reference of the rules.
if want differential; then
    note "sign differential"
    "$PHP" -n -d "extension=$SO" tests/sign_differential.php "${WXPAY_DIFF_COUNT:-100000}" ${WXPAY_DIFF_SEED:-}
    status=$?
    account "sign differential" "$status" "$((status == 0))" "$((status != 0))"
    note "checkout differential"
    "$PHP" -n -d "extension=$SO" tests/checkout_differential.php "${WXPAY_DIFF_COUNT:-100000}" ${WXPAY_DIFF_SEED:-}
    status=$?
    account "checkout differential" "$status" "$((status == 0))" "$((status != 0))"
fi

# 9. The harness itself: a crashed cargo test, a crashed php and an end-to-end
#    run that dies half way must each end in "N failed" and a non-zero exit.
if want probes; then
    note "harness probes"
    lines probes PROBE 3 tests/harness-probe.sh
fi

# 10. The support matrix: each PHP row built in its Debian chroot, with the
#    phpt suite and the differential test (the 8.6 RC row may fail: reported,
#    not counted). Chroots and built PHPs are cached in ~/.cache/wxpay-matrix.
#    The arm64 rows of 8.2 and 8.5 run reduced here (scripts/matrix.sh says
#    what that leaves out; make matrix runs them in full).
if want matrix; then
    note "PHP matrix"
    lines matrix MATRIX 8 env MATRIX_REDUCED="${WXPAY_MATRIX_REDUCED-8.2-nts-arm64 8.5-nts-arm64}" bash scripts/matrix.sh
fi

# 11. Release artifacts (make dist), installed where there is no Rust.
if want dist; then
    note "make dist"
    prepared arm64 x86_64
    bash scripts/dist.sh > "$log_dir/dist.log" 2>&1
    status=$?
    grep -vE '^\s*$' "$log_dir/dist.log"
    account "make dist" "$status" "$((status == 0))" "$((status != 0))"
    note "make dist-test (clean chroots, no Rust)"
    lines dist-test DIST 83 bash scripts/dist-test.sh
fi

# Last: nothing any suite printed, and nothing the sandbox logged or recorded,
# holds a secret of the test apps (the e2e run scans its own logs too).
if want secrets; then
    note "secrets scan"
    leaks=0
    while read -r _ secret appkey _ partnerkey; do
        for s in "$secret" "$appkey" ${partnerkey:+"$partnerkey"}; do
            if grep -rqF -- "$s" build/sandbox/ build/matrix/ build/dist-test/ "$log_dir"/ 2>/dev/null; then
                echo "a secret of a test app was found in build/sandbox or the suites' output"; leaks=$((leaks + 1))
            fi
        done
    done < <(grep -v '^#' tests/sandbox-apps.txt)
    if [ "$leaks" -eq 0 ] && [ -s build/sandbox/notifications.jsonl ]; then
        echo "no appsecret, appkey or partner key in the suites' output, $(wc -l < build/sandbox/notifications.jsonl) recorded notifications or the sandbox log"
        passed=$((passed + 1))
    else
        [ -s build/sandbox/notifications.jsonl ] || echo "the sandbox recorded nothing to scan"
        failed=$((failed + 1))
    fi
fi

# A lane no suite waited for (some suites only) is waited for here.
prepared x86_64 arm64

# Last of all: nothing a suite started is still running (a server whose
# suite died, a helper whose test failed). Listed, stopped, and a failure.
note "processes left running"
sleep 1
mapfile -t left < <(left_running)
if [ ${#left[@]} -eq 0 ]; then
    echo "no process started by the suites is left running"
    passed=$((passed + 1))
else
    echo "${#left[@]} process(es) started by the suites were still running (stopped now):"
    for pid in "${left[@]}"; do
        echo "  $pid $(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | cut -c1-160)"
    done
    kill -9 "${left[@]}" 2>/dev/null
    failed=$((failed + 1))
fi

note "time per suite"
printf '%s\n' "${timings[@]}" | awk '{t = $NF; $NF = ""; printf "%7s  %s\n", t, substr($0, 1, length($0) - 1)}'
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
