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
# Package managers and service managers that record any call: make install
# and make uninstall must make none (and plan none: make -n).
mkdir -p "$root/fakebin"
for cmd in apt-get apt dpkg systemctl service invoke-rc.d; do
    printf '#!/bin/sh\necho "%s $*" >> "%s/calls"\nexit 0\n' "$cmd" "$root" > "$root/fakebin/$cmd"
    chmod +x "$root/fakebin/$cmd"
done
# What make install would run (dry run): building and scripts/install.sh only.
make -n --no-print-directory install DESTDIR="$root" > "$root/plan" 2>&1
grep -E 'install-deps|apt|systemctl|service ' "$root/plan" >> "$root/calls"
PATH=$root/fakebin:$PATH DESTDIR=$root bash scripts/install.sh install "$SO" > "$root/install.log" 2>&1
ini=$root/etc/php/$ver/mods-available/wxpay.ini
ext_dir=$root$(php-config --extension-dir)
out=$(php -n -d "extension_dir=$ext_dir" -c "$ini" -r 'echo extension_loaded("wxpay") ? wx_deliver_sign(["a" => 1], "k") : "not loaded";' 2>&1)
# A reinstall keeps the shop's edited ini (the new template goes beside it).
echo "wxpay.timeout = 3" >> "$ini"
PATH=$root/fakebin:$PATH DESTDIR=$root bash scripts/install.sh install "$SO" >> "$root/install.log" 2>&1
kept=no
grep -q '^wxpay.timeout = 3' "$ini" && cmp -s packaging/wxpay.ini "$ini.dist" && kept=yes
make -n --no-print-directory uninstall DESTDIR="$root" > "$root/plan" 2>&1
grep -E 'install-deps|apt|systemctl|service ' "$root/plan" >> "$root/calls"
PATH=$root/fakebin:$PATH DESTDIR=$root bash scripts/install.sh uninstall >> "$root/install.log" 2>&1
calls=$(cat "$root/calls" 2>/dev/null)
if [ "$out" = "$(php -n -r 'echo sha1("a=1&appkey=k");')" ] && [ ! -e "$ini" ] && [ ! -e "$ini.dist" ] && [ ! -e "$ext_dir/wxpay.so" ] && [ -z "$calls" ] && [ $kept = yes ]; then
    echo "INSTALL ok   make install puts wxpay.so in the extension dir and mods-available/wxpay.ini loads it; a reinstall keeps an edited ini; uninstall removes them; neither called apt-get, dpkg or a service manager"
else
    echo "INSTALL FAIL ($out) edited ini kept: $kept; calls: ${calls:-none}"
    cat "$root/install.log"
    exit 1
fi
