#!/usr/bin/env bash
# Fuzzes the PHP-free core with cargo-fuzz (libFuzzer, nightly toolchain):
#   reply    any reply body: never panics, accepted replies are consistent
#   sign     the signing core against a naive model of get_biz_sign
#   deliver  the request body: valid JSON of exactly the validated strings
#   callback WeChat's XML messages: never panic; an accepted notification is correctly signed
#   scripts/fuzz.sh [SECONDS_PER_TARGET]   (make fuzz: 120 s each; make test: a short pass,
#   in a content mirror with a cached target dir: scripts/mirrored.sh)
set -uo pipefail
cd "$(dirname "$0")/../core"
secs=${1:-120}
export PATH=$HOME/.cargo/bin:$PATH
if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "fuzz: the nightly toolchain is missing (rustup toolchain install nightly)"; exit 1
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz: installing cargo-fuzz"
    cargo install cargo-fuzz --locked --quiet || exit 1
fi
status=0
for target in reply sign deliver callback; do
    if out=$(cargo +nightly fuzz run "$target" --release ${CARGO_TARGET_DIR:+--target-dir "$CARGO_TARGET_DIR"} \
        -- -max_total_time="$secs" 2>&1); then
        echo "FUZZ ok   $target: $(grep -Eo 'Done [0-9]+ runs in [0-9]+ second' <<<"$out" | tail -1)s"
    else
        echo "FUZZ FAIL $target:"
        grep -E '^error|panicked|ERROR|SUMMARY|Test unit written|artifact' <<<"$out" | head -10
        status=1
    fi
done
exit $status
