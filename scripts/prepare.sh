#!/usr/bin/env bash
# Prepares, ahead of the matrix and dist-test, what a cold cache lacks: the
# chroots, the PHPs built from source, the arm64 chroots and their headers,
# the cross-build chroot. tests/run-all.sh starts it in the background when
# it begins, so this mostly waiting work (downloads, apt, debootstrap's
# second stage under single-threaded qemu) overlaps the host suites instead
# of coming after them. Every step is the one the matrix and dist-test call
# themselves, cached, idempotent and locked (scripts/chroot.sh: locked): on a
# warm cache this costs seconds, a matrix row that needs a chroot this lane
# is making waits for it, and a step that fails here is done again (and
# reported) where it is needed.
#
#   scripts/prepare.sh x86_64   the x86_64 chroots and built PHPs, cross-arm64
#   scripts/prepare.sh arm64    the arm64 chroots (qemu registered for the run only)
#
# The two lanes touch disjoint parts of the cache (the arm64 chroots are
# debootstrapped on their own, not copied from a base) but for qemu-user,
# which the x86_64 lane unpacks first and the arm64 lane waits for; they run
# as separate processes, each undoing its own binfmt registration on exit.
set -uo pipefail
source "$(dirname "$0")/rows.sh"

step() { # step COMMAND...: runs a step, says how long it took
    local from=$SECONDS
    if "$@" >/dev/null; then say "$* ready ($((SECONDS - from)) s)"; else say "$* failed (done again where needed)"; fi
}

# legacy_php: dist-test's bullseye chroot with its PHP 8.2 built.
legacy_php() { local root; root=$(legacy_chroot) && built_php "$root" 8.2 nts; }

# arm64_ready ROW: an arm64 row's chroot and the headers copied out of it
# (what row_setup does for it, but for the run-tests.php it takes from an
# x86_64 build chroot, which is the other lane's).
arm64_ready() {
    local ver=${1%%-*} suite dir
    suite=$(row_suite "$1") && binfmt_arm64 && dir=$(arm64_chroot "$suite" $(arm64_packages "$ver")) &&
        arm64_headers "$dir" "$ver"
}

case ${1:-} in
x86_64)
    # First: it also unpacks the qemu-user the arm64 lane waits for.
    step cross_chroot
    for row in $ALL_ROWS; do
        [[ $row == *-arm64 ]] || step row_setup "$row"
    done
    for row in 8.2-nts 8.4-nts 8.5-nts; do step clean_chroot "$row"; done
    step legacy_php
    ;;
arm64)
    # The lane holds ARM64_LANE_LOCK until it is gone, its EXIT trap (which
    # undoes its qemu registration) included: flock -o keeps it in the parent.
    if [ -z "${WXPAY_ARM64_LANE:-}" ]; then
        mkdir -p "${ARM64_LANE_LOCK%/*}"
        exec env WXPAY_ARM64_LANE=1 flock -o "$ARM64_LANE_LOCK" bash "$0" arm64
    fi
    # qemu-user comes out of the cross-build chroot (the other lane's first
    # step); binfmt_misc registers it by path, so it must be there first.
    from=$SECONDS
    while [ ! -x "$ARM64_QEMU" ] && [ $((SECONDS - from)) -lt 1800 ]; do sleep 5; done
    for row in $ALL_ROWS; do
        [[ $row == *-arm64 ]] && step arm64_ready "$row"
    done
    ;;
*) die "usage: $0 x86_64|arm64" ;;
esac
