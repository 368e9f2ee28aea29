#!/usr/bin/env bash
# make dist-test: proof that a shop without Rust can install what make dist
# wrote. For each Debian row, in a fresh copy of a clean chroot that has
# only that PHP (php8.x-cli; php8.x-fpm and cgi-fcgi on the fpm row) and
# redis-server, and no Rust, compiler or build tool:
#   dpkg -i the .deb, php --ri wxpay, the phpt suite against the installed
#   module, an fpm request through it (fpm row), dpkg -r (module disabled and
#   gone, the edited ini kept), dpkg -P (nothing left), and no service touched.
# An arm64 row (under qemu) runs the *_basic phpts, not the whole suite.
# For each ZTS row: the PIE zip unpacked into that PHP's extension_dir passes
# the phpt suite. Row 8.2-nts-glibc231: the NTS zip on bullseye's glibc 2.31
# with a PHP 8.2 built there (legacy_row).
# Prints "DIST ok ..." / "DIST FAIL ..." lines; DIST_TEST_ROWS picks rows.
set -uo pipefail
source "$(dirname "$0")/rows.sh"
cd "$WXPAY_ROOT"

ROWS=${DIST_TEST_ROWS:-8.2-nts 8.4-nts 8.5-nts 8.2-zts 8.4-zts 8.2-nts-glibc231 8.2-nts-arm64 8.4-nts-arm64 8.5-nts-arm64}
DEB_ARCH=$(dpkg --print-architecture)
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
[ -d dist ] && ls dist/*.deb >/dev/null 2>&1 || die "no dist/: run make dist first"

check() { # check LABEL COMMAND...: one DIST line for a step
    local label=$1
    shift
    if "$@"; then echo "DIST ok $label"; else echo "DIST FAIL $label"; fi
}

# The sandbox the suites talk to: the released binary, not a cargo build
# (the aarch64 one for the arm64 row).
sandbox=$CACHE/dist-sandbox
rm -rf "$sandbox" "$sandbox-aarch64" && mkdir -p "$sandbox" "$sandbox-aarch64"
tar -C "$sandbox" --strip-components=1 -xzf dist/wxpay-sandbox-"$VERSION"-"$(uname -m)"-linux-glibc.tar.gz
check "the sandbox tarball carries its guide and the reference" test -s "$sandbox/SANDBOX.md" -a -s "$sandbox/reference.md"
if [[ " $ROWS " == *-arm64* ]]; then
    tar -C "$sandbox-aarch64" --strip-components=1 -xzf dist/wxpay-sandbox-"$VERSION"-aarch64-linux-glibc.tar.gz
    check "the aarch64 sandbox tarball carries its guide and the reference" \
        test -s "$sandbox-aarch64/SANDBOX.md" -a -s "$sandbox-aarch64/reference.md"
fi

# phpt ROOT PHP EXT LOG RUN_TESTS [SUITES]: the whole phpt suite (or SUITES of
# tests/run-all.sh) in chroot ROOT with php PHP loading EXT (a module name:
# the installed file in extension_dir).
phpt() {
    local root=$1 php=$2 ext=$3 log=$4 run_tests=$5 suites=${6:-phpt}
    in_chroot "$root" env PHP="$php" WXPAY_SO="$ext" WXPAY_EMULATED="${emulated:-0}" WXPAY_PHPT="${phpts:-}" WXPAY_BIN="${dist_sandbox:-/cache/dist-sandbox}" RUN_TESTS="$run_tests" \
        SANDBOX_DIR="build/dist-test/$(basename "$root")/sandbox" WXPAY_SUITES="$suites" bash /src/tests/run-all.sh >"$log" 2>&1
    local status=$?
    grep -E '^(Tests (passed|failed|skipped)|FAIL|[0-9]+ passed)' "$log" | sed 's/^/    /'
    [ $status -eq 0 ] && grep -qE '^Tests passed *: *[1-9]' "$log"
}

debian_row() {
    local row=$1 ver=${1%%-*} suite deb_arch=$DEB_ARCH fpm=$FPM_ROW
    suite=$(row_suite "$row")
    local clean
    if [[ $row == *-arm64 ]]; then
        # The arm64 row's own chroot (no build tool in it), under qemu.
        deb_arch=arm64 fpm=$row
        local dist_sandbox=/cache/dist-sandbox-aarch64 emulated=1
        # The whole suite ran on this very file in the matrix's arm64 row (dist
        # ships the module it built and tested); here, what the install changes.
        local phpts="php-tests/*_basic.phpt" suite_label="the *_basic phpts"
        # qemu-user itself crashes (SIGSEGV inside qemu) in PHP 8.4's opcache
        # when its JIT buffer is mapped, with or without wxpay (seen in a
        # pristine arm64 chroot): php-fpm runs without that buffer here.
        local fpm_flags="-d opcache.jit_buffer_size=0"
        binfmt_arm64 && clean=$(arm64_chroot "$suite" $(arm64_packages "$ver")) ||
            { echo "DIST FAIL $row: arm64 chroot"; return; }
    else
        clean=$(clean_chroot "$row") || { echo "DIST FAIL $row: clean chroot"; return; }
    fi
    local root=$CACHE/dist-test-$row
    rm -rf "$root" && cp -a "$clean" "$root"
    local deb
    deb=$(ls dist/php"$ver"-wxpay_*_"$deb_arch".deb)
    cp "$deb" "$root/tmp/"
    # A service touched by the package's scripts would be recorded here.
    for tool in systemctl service invoke-rc.d deb-systemd-invoke; do
        printf '#!/bin/sh\necho "%s $*" >> /tmp/service-calls\n' "$tool" >"$root/usr/local/sbin/$tool"
        chmod +x "$root/usr/local/sbin/$tool"
    done
    # run-tests.php is a PHP script from php8.x-dev; copied, not installed.
    local api
    api=$(in_chroot "$root" "php$ver" -n -r 'echo basename(PHP_EXTENSION_DIR);')
    cp "$CACHE/build-$suite/usr/lib/php/$api/build/run-tests.php" "$root/tmp/run-tests.php" ||
        { echo "DIST FAIL $row: no run-tests.php for API $api (make matrix prepares it)"; return; }

    check "$row: no Rust, compiler or build tool in the chroot" in_chroot "$root" sh -c '
        for t in cargo rustc clang cc gcc make phpize; do command -v $t >/dev/null && exit 1; done; exit 0'
    check "$row: dpkg -i $(basename "$deb")" in_chroot "$root" sh -c "dpkg -i /tmp/$(basename "$deb") >/tmp/dpkg-i.log 2>&1"
    check "$row: the package carries the README, the reference and the examples" in_chroot "$root" sh -c "
        d=/usr/share/doc/php$ver-wxpay && [ -s \$d/README.md ] && [ -s \$d/reference.md ] &&
        [ -s \$d/examples/callback.php ] && [ -s \$d/examples/drain.php ] && [ -s \$d/examples/requeue.php ]"
    check "$row: php --ri wxpay (enabled by the package's ini)" \
        in_chroot "$root" sh -c "php$ver --ri wxpay | grep -q 'wxpay support => enabled'"
    check "$row: the outbox works with no configuration (/var/lib/wxpay, group www-data)" in_chroot "$root" sh -c "
        [ \"\$(stat -c %G:%a /var/lib/wxpay)\" = www-data:2770 ] &&
        php$ver -r 'echo wx_deliver_enqueue([\"appid\" => \"wx1\", \"appkey\" => \"k\", \"openid\" => \"o\", \"transid\" => \"t\", \"out_trade_no\" => \"n\"]);' | grep -qE '^[0-9a-f]{24}\$' &&
        rm /var/lib/wxpay/outbox.sqlite*"
    check "$row: ${suite_label:-phpt suite} against the installed module" phpt "$root" "/usr/bin/php$ver" wxpay "$root/tmp/phpt.log" /tmp/run-tests.php
    if [ "$row" = "$fpm" ]; then
        check "$row: a php-fpm request through the installed module" fpm_request "$root" "$ver"
    fi
    # The shop's edit to the ini must survive an upgrade and removal (a
    # conffile) and go on purge.
    in_chroot "$root" sh -c "echo 'wxpay.timeout = 3' >> /etc/php/$ver/mods-available/wxpay.ini"
    check "$row: reinstalling keeps the edited ini and the module enabled" in_chroot "$root" sh -c "
        dpkg -i /tmp/$(basename "$deb") >>/tmp/dpkg-i.log 2>&1 &&
        grep -q 'wxpay.timeout = 3' /etc/php/$ver/mods-available/wxpay.ini &&
        [ \"\$(php$ver -r 'echo ini_get(\"wxpay.timeout\");')\" = 3 ]"
    check "$row: dpkg -r removes the module and disables it" in_chroot "$root" sh -c "
        dpkg -r php$ver-wxpay >/tmp/dpkg-r.log 2>&1 &&
        ! php$ver -m | grep -qx wxpay &&
        [ ! -e /usr/lib/php/*/wxpay.so ] &&
        [ -z \"\$(find /etc/php/$ver -path '*conf.d*' -name '*wxpay*')\" ] &&
        grep -q 'wxpay.timeout = 3' /etc/php/$ver/mods-available/wxpay.ini"
    check "$row: dpkg -P keeps an outbox that may hold notifications, and says so" in_chroot "$root" sh -c "
        touch /var/lib/wxpay/outbox.sqlite && dpkg -P php$ver-wxpay >/tmp/dpkg-p.log 2>&1 &&
        grep -q 'kept /var/lib/wxpay: its outbox may hold shipping notifications not yet delivered' /tmp/dpkg-p.log &&
        [ -e /var/lib/wxpay/outbox.sqlite ] && rm -r /var/lib/wxpay"
    check "$row: dpkg -P leaves nothing else behind" in_chroot "$root" sh -c "
        [ -z \"\$(find / -xdev \\( -path /tmp -o -path /src -o -path /cache -o -path /proc \\) -prune -o -name '*wxpay*' -print)\" ]"
    check "$row: no service was started, stopped or reloaded" in_chroot "$root" sh -c '[ ! -s /tmp/service-calls ] || { cat /tmp/service-calls; exit 1; }'
}

# fpm_request ROOT VER: the distribution's php-fpm, configured only through
# its own conf.d (where the package's link is), answers a FastCGI request
# for a script that signs and sends a notification to the sandbox.
fpm_request() {
    local root=$1 ver=$2
    cat >"$root/tmp/fpm.conf" <<EOF
[global]
pid = /tmp/fpm.pid
error_log = /tmp/fpm.log
[www]
user = root
group = root
listen = /tmp/fpm.sock
pm = static
pm.max_children = 1
clear_env = no
EOF
    in_chroot "$root" env SANDBOX_DIR=build/dist-test/fpm-sandbox bash -c "
        cd /src && WXPAY_BIN=${dist_sandbox:-/cache/dist-sandbox} tests/with-sandbox.sh bash -c '
            php-fpm$ver ${fpm_flags:-} -R -y /tmp/fpm.conf -F & fpm=\$!
            for _ in \$(seq 300); do [ -S /tmp/fpm.sock ] && break; sleep 0.1; done
            SCRIPT_FILENAME=/src/tests/dist/fpm_notify.php REQUEST_METHOD=GET \
                QUERY_STRING=\"sandbox=\$WXPAY_SANDBOX_DIR\" cgi-fcgi -bind -connect /tmp/fpm.sock > /tmp/fpm.out
            kill \$fpm; wait \$fpm 2>/dev/null
            grep -q \"^fpm-notify ok\" /tmp/fpm.out || { cat /tmp/fpm.out /tmp/fpm.log; exit 1; }'"
}

# same_contents ZIP TGZ NAME: both archives list the same files, all under
# NAME/, and those a shop needs are there.
same_contents() {
    local zip=$1 tgz=$2 name=$3 a b
    a=$(unzip -Z1 "$zip" | grep -v '/$' | sort) && b=$(tar -tzf "$tgz" | grep -v '/$' | sort) || return 1
    [ "$a" = "$b" ] || { diff <(echo "$a") <(echo "$b"); return 1; }
    for f in wxpay.so INSTALL LICENSE README.md reference.md examples/callback.php examples/drain.php; do
        grep -qx "$name/$f" <<<"$a" || { echo "    missing $name/$f"; return 1; }
    done
    ! grep -v "^$name/" <<<"$a"
}

zts_row() {
    local row=$1 ver=${1%-*}
    row_setup "$row" >/dev/null || { echo "DIST FAIL $row: no ZTS PHP"; return; }
    local zip ext_dir
    zip=$(ls dist/php_wxpay-"$VERSION"_php"$ver"-"$(uname -m)"-linux-glibc-zts.zip) || { echo "DIST FAIL $row: no zip"; return; }
    local name
    name=$(basename "$zip" .zip)
    check "$row: the zip and the tar.gz hold one folder with the module, INSTALL, README, reference and examples" \
        same_contents "$zip" "dist/$name.tar.gz" "$name"
    ext_dir=$(in_chroot "$CHROOT" "$PHP_BIN" -n -r 'echo PHP_EXTENSION_DIR;')
    mkdir -p "$CHROOT$ext_dir"
    check "$row: $(basename "$zip") unpacked into extension_dir" unzip -q -o -j "$zip" "$name/wxpay.so" -d "$CHROOT$ext_dir"
    check "$row: phpt suite against the unpacked module" phpt "$CHROOT" "$PHP_BIN" wxpay "$CACHE/dist-test-$row.log" "$RUN_TESTS_PHP"
    rm -f "$CHROOT$ext_dir/wxpay.so"
}

# legacy_row ROW: the oldest glibc Debian still serves, bullseye (2.31), which
# carries no PHP 8.2: PHP 8.2 NTS built there from Debian's php8.2 source, as
# a shop with a third-party PHP has it. The NTS zip's wxpay.so unpacked into
# its extension_dir and enabled in its php.ini, as INSTALL says; the phpt
# suite and the differential tests against it, with the tarball's sandbox.
legacy_row() {
    local row=$1 ver=8.2 root zip name ext_dir libc
    root=$(legacy_chroot) || { echo "DIST FAIL $row: bullseye chroot"; return; }
    built_php "$root" "$ver" nts || { echo "DIST FAIL $row: no PHP $ver built in bullseye"; return; }
    zip=$(ls dist/php_wxpay-"$VERSION"_php"$ver"-"$(uname -m)"-linux-glibc-nts.zip) || { echo "DIST FAIL $row: no zip"; return; }
    name=$(basename "$zip" .zip)
    libc=$(in_chroot "$root" ldd --version | head -1 | grep -oE '[0-9]+\.[0-9]+$')
    check "$row: the chroot's glibc is $libc, older than the build hosts'" test "$libc" = 2.31
    ext_dir=$(in_chroot "$root" "$BUILT_PHP/bin/php" -n -r 'echo PHP_EXTENSION_DIR;')
    mkdir -p "$root$ext_dir"
    check "$row: $(basename "$zip") unpacked into extension_dir" unzip -q -o -j "$zip" "$name/wxpay.so" -d "$root$ext_dir"
    echo "extension=wxpay" >"$root$BUILT_PHP/lib/php.ini"
    check "$row: php --ri wxpay (enabled in php.ini)" \
        in_chroot "$root" sh -c "$BUILT_PHP/bin/php --ri wxpay | grep -q 'wxpay support => enabled'"
    check "$row: the tarball's wxpay-sandbox runs (and serves the suite below)" \
        in_chroot "$root" sh -c '/cache/dist-sandbox/wxpay-sandbox --help | grep -q "^usage: wxpay-sandbox"'
    rm -f "$root$BUILT_PHP/lib/php.ini"
    check "$row: phpt suite and differential tests against the unpacked module" phpt "$root" "$BUILT_PHP/bin/php" wxpay \
        "$CACHE/dist-test-$row.log" "$BUILT_PHP/lib/php/build/run-tests.php" "phpt differential"
    rm -f "$root$ext_dir/wxpay.so"
}

for row in $ROWS; do
    echo "== $row"
    case $row in
    *-glibc231) legacy_row "$row" ;;
    *-zts) zts_row "$row" ;;
    *) debian_row "$row" ;;
    esac
done
