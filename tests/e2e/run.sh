#!/usr/bin/env bash
# End to end, with real parts: nginx -> php-fpm (the extension enabled through
# php.ini, as a shop does) -> examples/callback.php -> wxpay-sandbox over
# HTTPS, tokens shared through a real redis-server. Plays WeChat with 2,000
# payment callbacks from 16 concurrent clients, then again under a fault
# storm; then the sandbox pays 2,000 orders itself and posts WeChat's signed
# notifications (and tampered ones, replays, a complaint and alarms) to the
# shop, and checks the outcome; last, buyers check out through the shop's
# checkout pages (JSAPI and native QR) and the sandbox pays them. Prints
# "CHECK ok|FAIL name" lines.
#   tests/e2e/run.sh [CALLBACKS] [CONCURRENCY]
set -uo pipefail
cd "$(dirname "$0")/../.."
source tests/lib.sh
root=$PWD
count=${1:-2000}
conc=${2:-16}
dir=$root/build/e2e
rm -rf "$dir"
mkdir -p "$dir/orders" "$dir/nginx-tmp"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
# started PID: a server to stop at the end. A watchdog stops them too if this
# script dies without its traps (kill -9, as the harness probe does): php-fpm
# makes a session of its own, so run-all.sh's last check cannot find it.
watched=$dir/server-pids
: > "$watched"
started() { pids+=("$1"); echo "$1" >> "$watched"; }
main=$$
# Forked twice: not a child of this script, so its `wait`s never wait for it.
( ( trap '' INT TERM HUP
    while kill -0 "$main" 2>/dev/null; do sleep 0.5; done
    xargs -r kill < "$watched" 2>/dev/null ) < /dev/null > /dev/null 2>&1 & )
fails=0
check() { # check NAME CONDITION-COMMAND...
    local name=$1; shift
    if "$@"; then echo "CHECK ok   $name"; else echo "CHECK FAIL $name"; fails=$((fails + 1)); fi
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { for _ in $(seq 300); do eval "$1" && return 0; sleep 0.1; done; return 1; }

read -r appid secret appkey < <(grep '^wx0000000000000000' tests/sandbox-apps.txt)
partnerkey=e2ePARTNERKEYxxxxxxxxxxxxxxxxxx0
# The app that takes payments in the sandbox (phase 3).
read -r paid_appid paid_secret paid_appkey paid_partner paid_partnerkey < <(grep '^wxcallback00000001' tests/sandbox-apps.txt)
# The shop of phase 5 (checkout pages): its own app.
read -r co_appid co_secret co_appkey co_partner co_partnerkey < <(grep '^wxcheckout00000001' tests/sandbox-apps.txt)

# --- the parts
# --time-scale 0.005: WeChat's retry schedule (8 s ... 1000 s) and shipping deadlines run 200x faster.
"$BIN/wxpay-sandbox" --state-dir "$dir/sandbox" --apps tests/sandbox-apps.txt --token-quota 100000 --time-scale 0.005 \
    > "$dir/sandbox.log" 2>&1 &
started $!
wait_for '[ -s "$dir/sandbox/address" ]' || { echo "sandbox did not start"; exit 1; }
api=$(cat "$dir/sandbox/address")

redis_port=$(free_port)
# AOF: the outbox refuses a Redis that keeps nothing on disk.
mkdir -p "$dir/redis"
redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$dir/redis" --save '' --appendonly yes --logfile "$dir/redis.log" &
started $!
wait_for "(exec 3<>/dev/tcp/127.0.0.1/$redis_port) 2>/dev/null" || { echo "redis did not start"; exit 1; }

cat > "$dir/php.ini" <<INI
extension=$SO
wxpay.api_base = $api
wxpay.cafile = $dir/sandbox/ca.pem
wxpay.timeout = 1.5
wxpay.connect_timeout = 1
wxpay.token_cache = redis://127.0.0.1:$redis_port/0
wxpay.outbox = redis://127.0.0.1:$redis_port/1
wxpay.outbox_retry_first = 0.2
wxpay.outbox_retry_max = 1
log_errors = On
display_errors = Off
error_log = $dir/php-errors.log
INI
cat > "$dir/php-fpm.conf" <<CONF
[global]
pid = $dir/fpm.pid
error_log = $dir/fpm.log
daemonize = no
[shop]
user = root
listen = $dir/fpm.sock
listen.mode = 0666
pm = static
pm.max_children = 8
request_terminate_timeout = 30s
catch_workers_output = yes
clear_env = yes
env[WXPAY_APPID] = $appid
env[WXPAY_APPSECRET] = $secret
env[WXPAY_APPKEY] = $appkey
env[WXPAY_PARTNERKEY] = $partnerkey
env[WXPAY_ORDERS_DIR] = $dir/orders
CONF
php-fpm8.2 -R -n -c "$dir/php.ini" -y "$dir/php-fpm.conf" &
started $!
wait_for '[ -S "$dir/fpm.sock" ]' || { echo "php-fpm did not start"; cat "$dir/fpm.log"; exit 1; }
# "Server 2" of phase 4: another php-fpm with its own php.ini, sharing only Redis.
sed -e "s#error_log = $dir/php-errors.log#error_log = $dir/php-errors-2.log#" "$dir/php.ini" > "$dir/php-2.ini"
sed -e "s#$dir/fpm.pid#$dir/fpm-2.pid#; s#$dir/fpm.log#$dir/fpm-2.log#; s#$dir/fpm.sock#$dir/fpm-2.sock#; s#^\[shop\]#[shop2]#; s#pm.max_children = 8#pm.max_children = 4#" \
    "$dir/php-fpm.conf" > "$dir/php-fpm-2.conf"
php-fpm8.2 -R -n -c "$dir/php-2.ini" -y "$dir/php-fpm-2.conf" &
started $!
wait_for '[ -S "$dir/fpm-2.sock" ]' || { echo "php-fpm 2 did not start"; cat "$dir/fpm-2.log"; exit 1; }

web_port=$(free_port)
cat > "$dir/nginx.conf" <<CONF
daemon off;
user root;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log;
events { worker_connections 512; }
http {
    access_log $dir/nginx-access.log;
    map \$uri \$server_suffix { ~^/s2/ "-2"; default ""; }
    client_body_temp_path $dir/nginx-tmp/body;
    fastcgi_temp_path $dir/nginx-tmp/fastcgi;
    proxy_temp_path $dir/nginx-tmp/proxy;
    uwsgi_temp_path $dir/nginx-tmp/uwsgi;
    scgi_temp_path $dir/nginx-tmp/scgi;
    server {
        listen 127.0.0.1:$web_port;
        root $root/examples;
        location = /callback.php {
            include /etc/nginx/fastcgi_params;
            fastcgi_param SCRIPT_FILENAME \$document_root/callback.php;
            fastcgi_pass unix:$dir/fpm.sock;
            fastcgi_read_timeout 60s;
        }
        # Phase 4: an admin's "ship" action on either server (pool), one Redis outbox.
        location ~ ^/s([12])/ship\.php\$ {
            include /etc/nginx/fastcgi_params;
            fastcgi_param SCRIPT_FILENAME \$document_root/ship.php;
            fastcgi_pass unix:$dir/fpm\$server_suffix.sock;
            fastcgi_read_timeout 60s;
        }
        # Phase 4: the same shop with WXPAY_OUTBOX=1 (callback.php keeps what it cannot deliver).
        location ~ ^/kept/callback\.php\$ {
            include /etc/nginx/fastcgi_params;
            fastcgi_param SCRIPT_FILENAME \$document_root/callback.php;
            fastcgi_param WXPAY_APPID $paid_appid;
            fastcgi_param WXPAY_APPSECRET $paid_secret;
            fastcgi_param WXPAY_APPKEY $paid_appkey;
            fastcgi_param WXPAY_PARTNER $paid_partner;
            fastcgi_param WXPAY_PARTNERKEY $paid_partnerkey;
            fastcgi_param WXPAY_ORDERS_DIR $dir/kept-orders;
            fastcgi_param WXPAY_OUTBOX 1;
            fastcgi_pass unix:$dir/fpm-2.sock;
            fastcgi_read_timeout 60s;
        }
        # Phase 5: the checkout pages, the NativeCall handler and their callback.
        location ~ ^/shop/(checkout|native|callback)\.php\$ {
            include /etc/nginx/fastcgi_params;
            fastcgi_param SCRIPT_FILENAME \$document_root/\$1.php;
            fastcgi_param WXPAY_APPID $co_appid;
            fastcgi_param WXPAY_APPSECRET $co_secret;
            fastcgi_param WXPAY_APPKEY $co_appkey;
            fastcgi_param WXPAY_PARTNER $co_partner;
            fastcgi_param WXPAY_PARTNERKEY $co_partnerkey;
            fastcgi_param WXPAY_NOTIFY_URL http://127.0.0.1:$web_port/shop/callback.php;
            fastcgi_param WXPAY_ORDERS_DIR $dir/shop-orders;
            fastcgi_pass unix:$dir/fpm.sock;
            fastcgi_read_timeout 60s;
        }
        # The shop of phase 3: the sandbox's paying app, its keys as FastCGI params.
        location ~ ^/paid/(callback|feedback|alarm)\.php\$ {
            include /etc/nginx/fastcgi_params;
            fastcgi_param SCRIPT_FILENAME \$document_root/\$1.php;
            fastcgi_param WXPAY_APPID $paid_appid;
            fastcgi_param WXPAY_APPSECRET $paid_secret;
            fastcgi_param WXPAY_APPKEY $paid_appkey;
            fastcgi_param WXPAY_PARTNER $paid_partner;
            fastcgi_param WXPAY_PARTNERKEY $paid_partnerkey;
            fastcgi_param WXPAY_ORDERS_DIR $dir/paid-orders;
            fastcgi_pass unix:$dir/fpm.sock;
            fastcgi_read_timeout 60s;
        }
    }
}
CONF
nginx -c "$dir/nginx.conf" &
started $!
wait_for "(exec 3<>/dev/tcp/127.0.0.1/$web_port) 2>/dev/null" || { echo "nginx did not start"; cat "$dir/nginx-error.log"; exit 1; }

ctl() { curl -s --cacert "$dir/sandbox/ca.pem" "$@"; }
drive() { # drive TAG -> JSON summary in $dir/TAG.json
    "$PHP" -n -d extension=curl tests/e2e/drive.php "http://127.0.0.1:$web_port/callback.php" \
        "$count" "$conc" "$1" "$appid" "$appkey" "$partnerkey" > "$dir/$1.json"
}
jq_php() { php -n -r "$1" "$dir/$2.json" "${@:3}"; }
verify() { "$PHP" -n tests/e2e/checks.php "$@"; }
recorded() { ctl "$api/_sandbox/notifications?match=$1" > "$dir/recorded-$1.json"; }
crashes() { grep -Eci 'exited on signal|SIGSEGV|SIGABRT|core dumped|zend_mm_heap corrupted' "$dir"/fpm*.log "$dir"/php-errors*.log 2>/dev/null | awk -F: '{s+=$NF} END {print s+0}'; }

# --- phase 1: 2,000 callbacks, 16 concurrent clients
tag=E2E$RANDOM
t0=$(date +%s.%N)
drive "$tag"
t1=$(date +%s.%N)
echo "e2e: $count callbacks from $conc clients in $(awk "BEGIN {printf \"%.1f\", $t1 - $t0}") s: $(jq_php 'echo json_encode(json_decode(file_get_contents($argv[1]), true)["answers"]);' "$tag")"
recorded "$tag"
check "every callback answered success" verify all-success "$dir/$tag.json" "$count"
check "every order's shipping notification recorded exactly once" verify recorded-once "$dir/recorded-$tag.json" "$count"
check "one token fetch for the whole pool (Redis)" \
    test "$(ctl "$api/_sandbox/stats?appid=$appid" | php -n -r 'echo json_decode(stream_get_contents(STDIN), true)["token_calls"];')" = 1
check "no worker crashed" test "$(crashes)" = 0
check "no PHP warning or error logged" test ! -s "$dir/php-errors.log"

# The harness's own probe: a run that dies here must not read as passed.
[ "${WXPAY_PROBE:-}" = e2e-die ] && kill -9 $$

# --- phase 2: the same load in a fault storm
for f in '{"kind":"delay","ms":4000,"count":60}' '{"kind":"reset","count":60}' '{"kind":"close","count":40}' \
         '{"kind":"status","status":503,"count":60}' '{"kind":"garbage","count":30}' \
         '{"kind":"errcode","errcode":-1,"errmsg":"system busy","count":120}' \
         '{"kind":"errcode","errcode":45009,"errmsg":"quota","count":30}'; do
    ctl -X POST -d "${f%\}},\"match\":\"delivernotify\"}" "$api/_sandbox/fault" > /dev/null
done
storm=STORM$RANDOM
t0=$(date +%s.%N)
drive "$storm"
t1=$(date +%s.%N)
recorded "$storm"
echo "storm: $count callbacks in $(awk "BEGIN {printf \"%.1f\", $t1 - $t0}") s: $(jq_php 'echo json_encode(json_decode(file_get_contents($argv[1]), true)["answers"]);' "$storm"), slowest $(jq_php 'echo json_decode(file_get_contents($argv[1]), true)["slowest_s"];' "$storm") s"
# Managed mode's worst case: a -1, a pause, a -1, a pause, then a timed-out attempt.
# A managed call ends within 3 x timeout (4.5 s); nginx and fpm add little.
check "every callback ended within its bound (3 x timeout + 1 s)" verify slowest-within "$dir/$storm.json" 5.5
check "every callback answered success or fail (nothing hung)" verify success-or-fail "$dir/$storm.json" "$count"
check "each failed notification logged with its order and cause" verify failures-logged "$dir/$storm.json" "$dir/php-errors.log"
check "each successful order recorded exactly once" verify successes-once "$dir/$storm.json" "$dir/recorded-$storm.json"
check "the storm produced both outcomes" verify both-outcomes "$dir/$storm.json"
check "no worker crashed in the storm" test "$(crashes)" = 0

# --- phase 3: the sandbox pays, and posts WeChat's notifications to the shop
paidtag=PAID$RANDOM
shop=http://127.0.0.1:$web_port/paid
# The first 25 shipping notifications fail (HTTP 503): those callbacks answer
# "fail", and WeChat's retry must then ship them.
ctl -X POST "$api/_sandbox/clear" > /dev/null
ctl -X POST -d '{"kind":"status","status":503,"count":25,"match":"delivernotify"}' "$api/_sandbox/fault" > /dev/null
t0=$(date +%s.%N)
"$PHP" -n -d extension=curl tests/e2e/pay.php "$api" "$dir/sandbox/ca.pem" "$count" "$paidtag" "$paid_appid" \
    "$shop/callback.php" "$shop/alarm.php" 4 > "$dir/paid.json"
echo "paid: $(cat "$dir/paid.json")"
orders() { ctl "$api/_sandbox/orders?match=$paidtag" > "$dir/orders-$paidtag.json"; }
# Settled when nothing is left to post and every alarm is answered (tampered
# orders: 10 attempts over ~8 s scaled; their alarms 3 s after payment).
for _ in $(seq 600); do
    orders
    php -n -r '$d = json_decode(file_get_contents($argv[1]), true);
        $alarms = array_sum(array_map(fn($o) => count($o["alarms"]), $d["orders"]));
        exit($d["pending_posts"] === 0 && $alarms >= (int) $argv[2] ? 0 : 1);' "$dir/orders-$paidtag.json" 20 && break
    sleep 0.5
done
t1=$(date +%s.%N)
echo "paid phase: $count orders notified by the sandbox in $(awk "BEGIN {printf \"%.1f\", $t1 - $t0}") s"
check "the sandbox paid every order" php -n -r 'exit(json_decode(file_get_contents($argv[1]), true)["paid"] === (int) $argv[2] ? 0 : 1);' "$dir/paid.json" $((count + 20))
check "every paid order verified, shipped and notified exactly once (sandbox's count)" verify paid-shipped-once "$dir/orders-$paidtag.json" "$count"
recorded "$paidtag"
check "every paid order's shipping notification recorded exactly once" verify recorded-once "$dir/recorded-$paidtag.json" "$count"
check "a callback that failed first was retried by WeChat and then shipped" verify retried-then-shipped "$dir/orders-$paidtag.json"
check "every tampered notification refused on all 10 attempts, nothing shipped" verify tampered-refused "$dir/orders-$paidtag.json" 20
check "each refusal logged by the callback, naming the failed check" \
    test "$(grep -c 'callback: refused a notification: wx_payment_verify(): \(the partner sign\|the AppSignature\|the XML body\)' "$dir/php-errors.log")" -ge 200
check "alarm 1001 for every order never shipped, verified and answered success" verify alarms-answered "$dir/orders-$paidtag.json"
check "the alarms were logged by alarm.php" test "$(grep -c 'alarm: WeChat ErrorType 1001' "$dir/php-errors.log")" -eq 20
# Replays of shipped orders: answered success, never shipped twice.
cp "$dir/orders-$paidtag.json" "$dir/orders-before-replay.json"
for i in 1 2 3 4 5 6 7 8 9 10; do
    ctl -X POST -d "{\"appid\":\"$paid_appid\",\"out_trade_no\":\"$paidtag-$i\"}" "$api/_sandbox/replay" > /dev/null
done
sleep 1
orders
check "replayed notifications answered success and shipped nothing more" verify paid-shipped-once "$dir/orders-$paidtag.json" "$count"
check "each replay was answered success" verify replays-answered "$dir/orders-before-replay.json" "$dir/orders-$paidtag.json" "$paidtag" 10
# A complaint: verified by feedback.php, which marks it handled through the API.
fb=$(ctl -X POST -d "{\"appid\":\"$paid_appid\",\"openid\":\"oPaid-1\",\"url\":\"$shop/feedback.php\",\"transid\":\"x\",\"reason\":\"没收到\",\"picurls\":[\"http://mmbiz.qpic.cn/a/0\"]}" "$api/_sandbox/feedback")
check "a complaint verified, kept and answered success" php -n -r '$f = json_decode($argv[1], true);
    exit(($f["answer"] ?? "") === "success" && is_file($argv[2] . "/" . $f["feedbackid"] . ".request.json") ? 0 : 1);' "$fb" "$dir/paid-orders/feedback"
check "no worker crashed in the paid phase" test "$(crashes)" = 0

# --- phase 4: two servers (two php-fpm, one php.ini each) share one Redis outbox
# Physical goods shipped from an admin page on either server while WeChat
# refuses every notification; then two drainers per server (cron's
# examples/drain.php) while the refusals clear.
ships=$((count / 2))
ctl -X POST "$api/_sandbox/fault" -d '{"kind":"status","status":503,"count":100000000,"match":"\"P4-"}' > /dev/null
seq 0 $((ships - 1)) | xargs -P "$conc" -I{} sh -c \
    'curl -s -o /dev/null -w "%{http_code} s$(( {} % 2 + 1 ))\n" -d "order=P4-{}&transid=t-P4-{}&openid=o-phase4" "http://127.0.0.1:'"$web_port"'/s$(( {} % 2 + 1 ))/ship.php"' \
    > "$dir/ships.txt"
outbox() { "$PHP" -n -c "$dir/php.ini" -r 'echo json_encode(wx_deliver_outbox(["dead_limit" => 0])), "\n";'; }
queued=$(outbox)
drainer() { # drainer INI: cron's drain.php, every 0.3 s, until nothing is pending
    for _ in $(seq 200); do
        WXPAY_APPSECRET=$secret "$PHP" -n -c "$1" examples/drain.php > /dev/null 2>> "$dir/drain-errors.log"
        [ "$("$PHP" -n -c "$1" -r 'echo wx_deliver_outbox(["dead_limit" => 0])["pending"];')" = 0 ] && return
        sleep 0.3
    done
}
t0=$(date +%s.%N)
for ini in "$dir/php.ini" "$dir/php.ini" "$dir/php-2.ini" "$dir/php-2.ini"; do drainer "$ini" & done
sleep 2
refused=$(ctl "$api/_sandbox/requests?match=P4-" | php -n -r 'echo json_decode(stream_get_contents(STDIN), true)["count"];')
ctl -X POST "$api/_sandbox/clear" > /dev/null
wait $(jobs -p | grep -vxF -f <(printf '%s\n' "${pids[@]}"))
t1=$(date +%s.%N)
recorded P4-
drained=$(outbox)
echo "phase 4: $ships shipped on two servers ($(grep -c ' s1$' "$dir/ships.txt") / $(grep -c ' s2$' "$dir/ships.txt")); outbox then: $queued; $refused refused sends; drained in $(awk "BEGIN {printf \"%.1f\", $t1 - $t0}") s: $drained"
check "two servers queued every shipment into one Redis outbox while WeChat refused" \
    test "$(grep -c '^200 ' "$dir/ships.txt")" = "$ships" -a "$(echo "$queued" | php -n -r 'echo json_decode(stream_get_contents(STDIN), true)["pending"];')" = "$ships"
check "WeChat (the sandbox) refused sends before the refusals cleared" test "$refused" -gt 0
check "4 drainers on two servers: every shipment recorded by the sandbox exactly once" \
    php -n -r '$r = json_decode(file_get_contents($argv[1]), true)["notifications"]; $c = array_count_values(array_column($r, "out_trade_no"));
        exit(count($c) === (int) $argv[2] && max($c) === 1 ? 0 : 1);' "$dir/recorded-P4-.json" "$ships"
check "the shared outbox agrees: sent $ships, pending 0, dead 0" \
    php -n -r '$s = json_decode($argv[1], true); exit($s["sent"] === (int) $argv[2] && $s["pending"] === 0 && $s["dead"] === 0 ? 0 : 1);' "$drained" "$ships"

# The callback with WXPAY_OUTBOX=1: WeChat pays 50 orders while every shipping
# notification fails; each callback keeps its notification and answers
# "success" at once (no WeChat retry needed), and a drain delivers them.
kepttag=KEPT$RANDOM
ctl -X POST -d '{"kind":"status","status":503,"count":100000000,"match":"'"$kepttag"'"}' "$api/_sandbox/fault" > /dev/null
"$PHP" -n -d extension=curl tests/e2e/pay.php "$api" "$dir/sandbox/ca.pem" 50 "$kepttag" "$paid_appid" \
    "http://127.0.0.1:$web_port/kept/callback.php" "" 0 > "$dir/kept-paid.json"
for _ in $(seq 200); do
    ctl "$api/_sandbox/orders?match=$kepttag" > "$dir/orders-$kepttag.json"
    php -n -r '$d = json_decode(file_get_contents($argv[1]), true);
        exit($d["pending_posts"] === 0 && count(array_filter($d["orders"], fn($x) => $x["attempts"] === [])) === 0 ? 0 : 1);' \
        "$dir/orders-$kepttag.json" && break
    sleep 0.2
done
check "callback.php with the outbox: 50 payments answered success at the first attempt while delivery failed" \
    php -n -r '$o = json_decode(file_get_contents($argv[1]), true)["orders"];
        $ok = array_filter($o, fn($x) => count($x["attempts"]) === 1 && ($x["attempts"][0]["answer"] ?? "") === "success" && $x["deliveries"] === 0);
        if (count($o) === 50 && count($ok) === 50) exit(0);
        echo "  ", count($o), " orders, ", count($ok), " as expected; e.g. ", json_encode(array_values(array_udiff($o, $ok, fn($a, $b) => strcmp($a["out_trade_no"], $b["out_trade_no"])))[0] ?? null), "\n";
        exit(1);' "$dir/orders-$kepttag.json"
ctl -X POST "$api/_sandbox/clear" > /dev/null
for _ in $(seq 50); do
    WXPAY_APPSECRET=$paid_secret "$PHP" -n -c "$dir/php-2.ini" examples/drain.php > /dev/null 2>> "$dir/drain-errors.log"
    [ "$(outbox | php -n -r 'echo json_decode(stream_get_contents(STDIN), true)["pending"];')" = 0 ] && break
    sleep 0.3
done
ctl "$api/_sandbox/orders?match=$kepttag" > "$dir/orders-$kepttag.json"
check "the drain then shipped each of them exactly once" \
    php -n -r '$o = json_decode(file_get_contents($argv[1]), true)["orders"];
        exit(count($o) === 50 && count(array_filter($o, fn($x) => $x["deliveries"] === 1)) === 50 ? 0 : 1);' "$dir/orders-$kepttag.json"
check "no worker crashed on either server" test "$(crashes)" = 0

# --- phase 5: the buyer's journey from the checkout pages
# nginx -> php-fpm -> examples/checkout.php / native.php -> the sandbox's buyer
# checks and pays -> examples/callback.php verifies, ships, delivernotify.
cotag=CO$RANDOM
journeys=${WXPAY_E2E_CHECKOUT:-500}
t0=$(date +%s.%N)
"$PHP" -n -d extension=curl -d "extension=$SO" tests/e2e/checkout.php "http://127.0.0.1:$web_port/shop" "$api" \
    "$dir/sandbox/ca.pem" "$journeys" 10 "$cotag" "$co_appid" "$co_appkey" "$co_partnerkey" > "$dir/checkout.json"
for _ in $(seq 600); do
    ctl "$api/_sandbox/orders" > "$dir/orders-checkout.json"
    php -n -r '$d = json_decode(file_get_contents($argv[1]), true); exit($d["pending_posts"] === 0 ? 0 : 1);' "$dir/orders-checkout.json" && break
    sleep 0.5
done
t1=$(date +%s.%N)
echo "checkout phase: $(php -n -r '$c = json_decode(file_get_contents($argv[1]), true); echo count($c["jsapi"]), " JSAPI and ", count($c["native"]), " native orders paid, ", count($c["errors"]), " errors, refused: ", json_encode(array_map(fn($r) => array_count_values(preg_replace("/nonce \\w+/", "nonce N", $r)), $c["refused"]), JSON_UNESCAPED_UNICODE);' "$dir/checkout.json") in $(awk "BEGIN {printf \"%.1f\", $t1 - $t0}") s"
check "$journeys JSAPI and $journeys native checkouts paid by the sandbox, no error" \
    php -n -r '$c = json_decode(file_get_contents($argv[1]), true); $n = (int) $argv[2];
        exit(count($c["jsapi"]) === $n + 10 && count($c["native"]) === $n && $c["errors"] === [] ? 0 : 1);' "$dir/checkout.json" "$journeys"
check "each checkout order paid once, verified by callback.php, shipped and notified once" verify checkout-shipped-once \
    "$dir/checkout.json" "$dir/orders-checkout.json" "$dir/shop-orders"
recorded "$co_appid" 
check "each checkout order's shipping notification recorded exactly once" verify checkout-recorded-once \
    "$dir/checkout.json" "$dir/recorded-$co_appid.json"
check "every tampered, wrongly keyed or replayed checkout refused by the buyer's client, and never paid" \
    verify checkout-refused "$dir/checkout.json" "$dir/orders-checkout.json" 10
check "orderquery reports a checkout order paid" \
    "$PHP" -n -d "extension=$SO" -r '$c = json_decode(file_get_contents($argv[1]), true); $o = $c["native"][0];
        $q = wx_order_query(null, ["appid" => $argv[2], "appkey" => $argv[3], "partner" => $argv[4], "partnerkey" => $argv[5], "out_trade_no" => $o],
            ["api_base" => $argv[6], "cafile" => $argv[7], "appsecret" => $argv[8]]);
        exit($q["trade_state"] === "0" && $q["out_trade_no"] === $o ? 0 : 1);' \
    "$dir/checkout.json" "$co_appid" "$co_appkey" "$co_partner" "$co_partnerkey" "$api" "$dir/sandbox/ca.pem" "$co_secret"
check "no worker crashed in the checkout phase" test "$(crashes)" = 0

# --- secrets: none in any log or record of either phase
token=$(php -n -r '$s = fsockopen("127.0.0.1", (int) $argv[1]); $k = $argv[2];
    fwrite($s, "*2\r\n\$3\r\nGET\r\n\$" . strlen($k) . "\r\n$k\r\n"); fgets($s); echo json_decode(fgets($s), true)["access_token"] ?? "";' \
    "$redis_port" "wxpay:token:$api:$appid")
leaks=0
# Without the shared token there is nothing to scan for: that fails too.
[ -n "$token" ] || { echo "  the shared access_token could not be read from Redis"; leaks=1; }
for s in "$secret" "$appkey" "$partnerkey" "$paid_secret" "$paid_appkey" "$paid_partnerkey" "$co_secret" "$co_appkey" "$co_partnerkey" ${token:+"$token"}; do
    if grep -rlF -- "$s" "$dir"/*.log "$dir"/sandbox/notifications.jsonl "$dir"/recorded-*.json 2>/dev/null; then
        leaks=$((leaks + 1))
    fi
done
check "no appsecret, appkey, partner key or access_token in fpm, nginx, PHP, Redis or sandbox logs" test "$leaks" = 0

exit "$fails"
