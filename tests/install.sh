#!/usr/bin/env bash
# make install, staged under a temporary root: the .so lands in the
# extension directory, mods-available/wxpay.ini loads it, and PHP started on
# exactly that configuration lists the extension and signs; uninstall
# removes both. Prints "INSTALL ok|FAIL ...".
set -uo pipefail
cd "$(dirname "$0")/.."
source tests/lib.sh
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
ver=$(php-config --version | cut -d. -f1,2)
DESTDIR=$root bash scripts/install.sh install "$SO" > /dev/null
ini=$root/etc/php/$ver/mods-available/wxpay.ini
ext_dir=$root$(php-config --extension-dir)
out=$(php -n -d "extension_dir=$ext_dir" -c "$ini" -r 'echo extension_loaded("wxpay") ? wx_deliver_sign(["a" => 1], "k") : "not loaded";' 2>&1)
DESTDIR=$root bash scripts/install.sh uninstall > /dev/null
if [ "$out" = "$(php -n -r 'echo sha1("a=1&appkey=k");')" ] && [ ! -e "$ini" ] && [ ! -e "$ext_dir/wxpay.so" ]; then
    echo "INSTALL ok   make install puts wxpay.so in the extension dir and mods-available/wxpay.ini loads it; uninstall removes both"
else
    echo "INSTALL FAIL ($out)"
    exit 1
fi
