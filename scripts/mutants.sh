#!/usr/bin/env bash
# make mutants: cargo-mutants over core/ (not part of make test: it rebuilds
# the core once per mutant). The test command is core's own `cargo test`:
# running the PHP suites per mutant (a .so build and a phpt run each) would
# take hours on this machine. Results go to ~/.cache/wxpay-mutants (outside
# the checkout); the summary compares the missed mutants with
# docs/mutants-equivalent.txt, the ones judged equivalent, each with why
# (matched by file and mutation, not by line).
#   scripts/mutants.sh [cargo-mutants options, e.g. -f core/src/wire/sign.rs]
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH=$HOME/.cargo/bin:$PATH
out=${WXPAY_MUTANTS_DIR:-$HOME/.cache/wxpay-mutants}
if ! cargo mutants --version >/dev/null 2>&1; then
    echo "mutants: installing cargo-mutants"
    cargo install cargo-mutants --locked --quiet || exit 1
fi
mkdir -p "$out"
cargo mutants -p wxpay-core -j "${WXPAY_MUTANTS_JOBS:-2}" --timeout 15 --output "$out" "$@"
dir=$out/mutants.out
count() { [ -f "$dir/$1.txt" ] && grep -c . "$dir/$1.txt" || echo 0; }
caught=$(count caught); missed=$(count missed); timeout=$(count timeout); unviable=$(count unviable)
# Compared without line and column: code moved by an edit keeps its verdict.
unplace() { sed -E 's/^([^:]+):[0-9]+:[0-9]+:/\1:/'; }
equivalent=$(grep -v '^#' docs/mutants-equivalent.txt | sed 's/ *#.*//' | grep . | unplace | sort -u)
real_missed=$(unplace < "$dir/missed.txt" | grep -vxF -f <(grep . <<<"$equivalent") || true)
n_real=$(grep -c . <<<"$real_missed")
n_equiv=$((missed - n_real))
score=$(awk -v c="$caught" -v t="$timeout" -v m="$n_real" 'BEGIN { d = c + t + m; printf "%.1f", d ? 100 * (c + t) / d : 0 }')
echo
echo "mutants: $caught caught, $timeout timed out (counted as caught), $missed missed ($n_equiv judged equivalent), $unviable unviable"
echo "mutants: $score% of the non-equivalent mutants caught (target 90%)"
if [ "$n_real" -gt 0 ]; then
    echo "missed and not judged equivalent:"
    sed 's/^/  /' <<<"$real_missed"
fi
awk -v s="$score" 'BEGIN { exit !(s >= 90) }'
