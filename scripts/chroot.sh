# Sourced by scripts/matrix.sh and scripts/dist-test.sh: Debian chroots kept
# in a cache outside the checkout, reused when present.
#
#   WXPAY_MATRIX_CACHE  where chroots, built PHPs and per-row cargo targets
#                       live (default ~/.cache/wxpay-matrix)
#
# No mirror is named here: debootstrap uses its default, and a chroot's apt
# sources are the host's own /etc/apt/sources.list.d/debian.sources with the
# suite names changed.

CACHE=${WXPAY_MATRIX_CACHE:-$HOME/.cache/wxpay-matrix}
WXPAY_ROOT=${WXPAY_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
mkdir -p "$CACHE"

say() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { say "$*"; exit 1; }

# locked NAME FUNCTION ARGS...: FUNCTION run holding $CACHE/locks/NAME.lock,
# so that the background preparation (scripts/prepare.sh) and a matrix row
# or dist-test needing the same chroot or PHP wait for each other instead of
# making it twice at once. Locks are taken parent before part (a built PHP,
# its source, its chroot, that chroot's base), never the other way round.
locked() {
    local name=$1 fd status
    shift
    mkdir -p "$CACHE/locks"
    exec {fd}>"$CACHE/locks/$name.lock"
    flock "$fd"
    "$@"
    status=$?
    exec {fd}>&-
    return $status
}

host_codename() { (. /etc/os-release && echo "${VERSION_CODENAME:-}"); }

# derive_sources SUITE [deb-src]: the host's deb822 sources for another suite.
# sid has no -updates or -security suites; it gets experimental instead (the
# only place php8.5 and php8.6 are packaged), which apt pins below.
derive_sources() {
    local suite=$1 src=${2:-} host
    host=$(host_codename)
    [ -f /etc/apt/sources.list.d/debian.sources ] && [ -n "$host" ] ||
        die "needs a Debian host with /etc/apt/sources.list.d/debian.sources"
    awk -v host="$host" -v suite="$suite" -v src="$src" '
        BEGIN { RS = ""; ORS = "" }
        {
            out = ""; keep = 1; n = split($0, L, "\n")
            for (i = 1; i <= n; i++) {
                line = L[i]
                if (line ~ /^Types:/ && src != "") line = "Types: deb deb-src"
                if (line ~ /^Suites:/) {
                    m = split(substr(line, 8), S, " "); s = ""
                    for (j = 1; j <= m; j++) {
                        x = S[j]; sub("^" host, suite, x)
                        if (suite == "sid" && x != "sid") continue
                        s = s " " x
                    }
                    if (s == "") keep = 0
                    if (s == " sid") s = s " experimental"
                    line = "Suites:" s
                }
                if (line !~ /^#/) out = out line "\n"
            }
            if (keep) print out "\n"
        }' /etc/apt/sources.list.d/debian.sources
}

# in_chroot DIR CMD...: runs CMD as root in DIR, in a private mount namespace
# (every mount disappears with the command), with /proc, /dev, the checkout
# at /src, the cache at /cache and the host's Rust toolchain at /root/.cargo and /root/.rustup when
# WXPAY_CHROOT_RUST=1.
in_chroot() {
    local dir=$1
    shift
    unshare --mount --propagation private env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
        WXPAY_CHROOT_RUST="${WXPAY_CHROOT_RUST:-0}" WXPAY_ROOT="$WXPAY_ROOT" CHROOT="$dir" CACHE="$CACHE" \
        bash -c '
        set -e
        mount -t proc proc "$CHROOT/proc"
        mount --rbind /dev "$CHROOT/dev"
        mkdir -p "$CHROOT/src" "$CHROOT/cache"
        mount --bind "$WXPAY_ROOT" "$CHROOT/src"
        mount --bind "$CACHE" "$CHROOT/cache"
        if [ "$WXPAY_CHROOT_RUST" = 1 ]; then
            mkdir -p "$CHROOT/root/.cargo" "$CHROOT/root/.rustup"
            mount --bind "$HOME/.cargo" "$CHROOT/root/.cargo"
            mount --bind "$HOME/.rustup" "$CHROOT/root/.rustup"
        fi
        cp /etc/resolv.conf "$CHROOT/etc/resolv.conf" 2>/dev/null || true
        exec chroot "$CHROOT" "$@"' chroot-run "$@"
}

# chroot_sources DIR SUITE: a fresh debootstrap's apt sources (the host's,
# derived), pins and /etc/hosts.
chroot_sources() {
    local dir=$1 suite=$2
    rm -f "$dir/etc/apt/sources.list"
    derive_sources "$suite" >"$dir/etc/apt/sources.list.d/debian.sources"
    if [ "$suite" = sid ]; then
        # experimental: php8.5 and php8.6 only; its Release may be older than apt likes.
        printf 'Package: php8.5* php8.6*\nPin: release a=experimental\nPin-Priority: 600\n' \
            >"$dir/etc/apt/preferences.d/php-experimental"
        echo 'Acquire::Check-Valid-Until "false";' >"$dir/etc/apt/apt.conf.d/99valid-until"
    fi
    printf '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n' >"$dir/etc/hosts"
}

# chroot_base SUITE: a pristine minbase chroot with apt sources and
# ca-certificates ($CACHE/base-SUITE).
chroot_base() { locked "base-$1" make_chroot_base "$@"; }
make_chroot_base() {
    local suite=$1 dir=$CACHE/base-$1
    [ -f "$dir.ready" ] && [ -d "$dir" ] && { echo "$dir"; return; }
    command -v debootstrap >/dev/null || die "debootstrap is missing (make matrix-deps installs it)"
    rm -rf "$dir" "$dir.ready"
    say "debootstrap $suite (once; cached in $dir)"
    debootstrap --variant=minbase "$suite" "$dir" >"$CACHE/debootstrap-$suite.log" 2>&1 ||
        { tail -20 "$CACHE/debootstrap-$suite.log" >&2; die "debootstrap $suite failed"; }
    chroot_sources "$dir" "$suite"
    in_chroot "$dir" sh -c 'apt-get update -qq && apt-get install -y -qq --no-install-recommends ca-certificates >/dev/null' ||
        die "apt in the $suite chroot failed"
    touch "$dir.ready"
    echo "$dir"
}

# chroot_with NAME SUITE PACKAGES...: a copy of the base chroot with PACKAGES
# installed ($CACHE/NAME). Packages added to the list are installed into the
# cached chroot; one removed from it makes a fresh copy.
chroot_with() { locked "$1" make_chroot_with "$@"; }
make_chroot_with() {
    local name=$1 suite=$2 dir=$CACHE/$1 base want have
    shift 2
    want=$(words "$suite" "$@")
    have=$(cat "$dir.ready" 2>/dev/null)
    [ -d "$dir" ] || have=
    if [ "$want" = "$have" ]; then
        echo "$dir"
        return
    fi
    local missing
    missing=$(comm -23 <(words $want | tr ' ' '\n') <(words $have | tr ' ' '\n') | tr '\n' ' ')
    if [ -z "$have" ] || [ -n "$(comm -13 <(words $want | tr ' ' '\n') <(words $have | tr ' ' '\n'))" ]; then
        base=$(chroot_base "$suite") || exit 1
        rm -rf "$dir"
        cp -a "$base" "$dir"
        missing=$*
    fi
    say "preparing $name: $missing (once; cached in $dir)"
    if [ "${WXPAY_DEB_SRC:-0}" = 1 ]; then
        derive_sources "$suite" deb-src >"$dir/etc/apt/sources.list.d/debian.sources"
    fi
    in_chroot "$dir" sh -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null" ||
        die "installing $missing in $name failed"
    echo "$want" >"$dir.ready"
    echo "$dir"
}

# words W...: the words sorted and unique, on one line.
words() { printf '%s\n' "$@" | sed '/^$/d' | sort -u | tr '\n' ' ' | sed 's/ $//'; }
