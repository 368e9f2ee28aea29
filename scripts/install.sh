#!/usr/bin/env bash
# make install / make uninstall: the Debian way, so CLI and FPM both load it.
# It copies the .so, writes mods-available/wxpay.ini and runs phpenmod (or
# phpdismod): no package manager, no service started, stopped or reloaded.
# DESTDIR stages the files under another root (and skips phpenmod), for tests.
set -euo pipefail
action=$1
PHP_CONFIG=${PHP_CONFIG:-php-config}
DESTDIR=${DESTDIR:-}
ext_dir=$DESTDIR$("$PHP_CONFIG" --extension-dir)
php_ver=$("$PHP_CONFIG" --version | cut -d. -f1,2)
mods=$DESTDIR/etc/php/$php_ver/mods-available

case "$action" in
install)
    so=$2
    install -D -m 0644 "$so" "$ext_dir/wxpay.so"
    mkdir -p "$mods"
    template="$(dirname "$0")/../packaging/wxpay.ini"
    if [ -f "$mods/wxpay.ini" ] && ! cmp -s "$template" "$mods/wxpay.ini"; then
        # An edited ini is the shop's configuration: keep it.
        install -m 0644 "$template" "$mods/wxpay.ini.dist"
        echo "kept your $mods/wxpay.ini (the new template is wxpay.ini.dist beside it)"
    else
        install -m 0644 "$template" "$mods/wxpay.ini"
    fi
    [ -n "$DESTDIR" ] || phpenmod -v "$php_ver" wxpay
    # The outbox's default home (wxpay.outbox): writable by the web server's
    # group, kept on uninstall (it may hold undelivered notifications).
    if getent group www-data > /dev/null; then
        install -d -m 2770 -g www-data "$DESTDIR/var/lib/wxpay"
    else
        install -d -m 0700 "$DESTDIR/var/lib/wxpay"
    fi
    echo "installed $ext_dir/wxpay.so and enabled it ($mods/wxpay.ini)"
    echo "php-fpm loads it after a reload, when you choose: systemctl reload php$php_ver-fpm"
    ;;
uninstall)
    [ -n "$DESTDIR" ] || phpdismod -v "$php_ver" wxpay 2>/dev/null || true
    rm -f "$mods/wxpay.ini" "$mods/wxpay.ini.dist" "$ext_dir/wxpay.so"
    echo "removed wxpay (php-fpm drops it after a reload: systemctl reload php$php_ver-fpm)"
    ;;
*)
    echo "usage: $0 install SO | uninstall" >&2
    exit 2
    ;;
esac
