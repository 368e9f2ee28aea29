#!/usr/bin/env bash
# The outbox under hostile conditions, with the real parts: a SQLite file,
# a redis-server with AOF, wxpay-sandbox over HTTPS, PHP processes loading
# the extension. Prints "OUTBOX ok|FAIL <check>" lines.
#   A  N notifications enqueued while the sandbox refuses every one, then 3
#      drainers at once while the refusals clear: each recorded exactly once.
#   B  drainers kill -9'd at random moments: none lost, repeats <= K per kill
#      (K: the sends a drain keeps in flight, wxpay.outbox_concurrency).
#   C  enqueuers kill -9'd mid-transaction: every acknowledged one delivered.
#   D  Redis killed and restarted (AOF, appendfsync always) mid-run while
#      enqueuing and draining: nothing acknowledged is lost.
set -uo pipefail
cd "$(dirname "$0")/../.."
source tests/lib.sh
N=${1:-5000}
scratch wxpay-outbox

"$BIN/wxpay-sandbox" --state-dir "$work/sandbox" --apps tests/sandbox-apps.txt --token-quota 100000 > "$work/sandbox.log" 2>&1 &
pids+=($!)
for _ in $(seq 300); do [ -s "$work/sandbox/address" ] && break; sleep 0.1; done
export WXPAY_SANDBOX_DIR=$work/sandbox
api=$(cat "$work/sandbox/address")
W=("$PHP" -n -d "extension=$SO" tests/outbox/worker.php)
# The sends each drain keeps in flight: what a kill may leave to be sent again.
K=$("$PHP" -n -d "extension=$SO" -r 'echo ini_get("wxpay.outbox_concurrency");')

check() {
    local name=$1; shift
    if "$@"; then echo "OUTBOX ok $name"; else echo "OUTBOX FAIL $name"; fi
}
control() { curl -sS --cacert "$work/sandbox/ca.pem" -X POST "$api/_sandbox/$1" -d "${2:-}" > /dev/null; }
# field NAME: NAME of the JSON on stdin's last line.
field() { "$PHP" -n -r '$l = file("php://stdin"); $v = json_decode(end($l) ?: "", true); echo $v[$argv[1]] ?? "none";' "$1"; }

echo "== A: $N enqueued while refused, 3 drainers while the refusals clear (SQLite)"
A=$work/a.sqlite
control fault '{"kind":"status","status":503,"count":100000000,"match":"\"A-"}'
t0=$(date +%s%N)
"${W[@]}" enqueue "$A" A 0 "$N" > "$work/a.enq"
t1=$(date +%s%N)
echo "enqueued $(grep -c '^ok' "$work/a.enq") in $(( (t1 - t0) / 1000000 )) ms"
for i in 1 2 3; do "${W[@]}" drain "$A" 240 > "$work/a.drain$i" 2>&1 & done
sleep 3
refused=$(curl -sS --cacert "$work/sandbox/ca.pem" "$api/_sandbox/requests?match=%22A-" | field count)
control clear
wait_drains() { local p; for p in $(jobs -p); do [[ " ${pids[*]} " == *" $p "* ]] || wait "$p"; done; }
wait_drains
read -r total distinct missing max < <("${W[@]}" count A "$N" | "$PHP" -n -r '$v=json_decode(stream_get_contents(STDIN),true); echo "$v[total] $v[distinct] $v[missing] $v[max]\n";')
status=$("${W[@]}" status "$A")
echo "recorded $total ($distinct distinct, $missing missing, at most $max per order); outbox $(echo "$status" | cut -c1-120)"
check "A: the sandbox refused sends before the clear ($refused)" test "$refused" -gt 0
check "A: all $N delivered, each exactly once" test "$total" = "$N" -a "$distinct" = "$N" -a "$missing" = 0
check "A: the outbox agrees (sent $N, pending 0, dead 0)" test "$(echo "$status" | field sent)" = "$N" -a "$(echo "$status" | field pending)" = 0 -a "$(echo "$status" | field dead)" = 0

echo "== B: a kill storm among 3 drainers (SQLite)"
B=$work/b.sqlite
NB=$((N / 2))
"${W[@]}" enqueue "$B" B 0 "$NB" > /dev/null
# Slow answers keep every drainer mid-send most of the time.
control fault '{"kind":"delay","ms":15,"count":100000000,"match":"\"B-"}'
kills=0
end=$((SECONDS + 240))
declare -A slot
for i in 1 2 3; do "${W[@]}" drain "$B" 240 > /dev/null 2>&1 & slot[$i]=$!; done
while [ $SECONDS -lt $end ]; do
    sleep "0.$((RANDOM % 5 + 2))"
    pending=$("${W[@]}" status "$B" | field pending)
    alive=0
    for i in 1 2 3; do kill -0 "${slot[$i]}" 2>/dev/null && alive=$((alive + 1)); done
    [ "$pending" = 0 ] && [ $alive = 0 ] && break
    i=$((RANDOM % 3 + 1))
    if [ $kills -lt 12 ] && kill -0 "${slot[$i]}" 2>/dev/null; then
        kill -9 "${slot[$i]}" 2>/dev/null && kills=$((kills + 1))
        wait "${slot[$i]}" 2>/dev/null
    fi
    # The "cron": a drainer that died or finished is started again while work is left.
    for i in 1 2 3; do
        if ! kill -0 "${slot[$i]}" 2>/dev/null && [ "$pending" != 0 ]; then
            "${W[@]}" drain "$B" 240 > /dev/null 2>&1 & slot[$i]=$!
        fi
    done
done
wait_drains
read -r total distinct missing max < <("${W[@]}" count B "$NB" | "$PHP" -n -r '$v=json_decode(stream_get_contents(STDIN),true); echo "$v[total] $v[distinct] $v[missing] $v[max]\n";')
echo "$kills kills; recorded $total ($distinct distinct, $missing missing, $((total - NB)) repeats)"
check "B: none of $NB lost after $kills kill -9s" test "$missing" = 0 -a "$distinct" = "$NB" -a "$kills" -gt 0
check "B: repeats ($((total - NB))) at most $K per kill ($kills kills)" test $((total - NB)) -le $((K * kills))

echo "== C: enqueuers killed mid-transaction (SQLite)"
C=$work/c.sqlite
for i in 1 2 3; do "${W[@]}" enqueue "$C" "C$i" 0 100000 > "$work/c.enq$i" & done
sleep 1.5
for p in $(jobs -p); do [[ " ${pids[*]} " == *" $p "* ]] || kill -9 "$p" 2>/dev/null; done
wait_drains 2>/dev/null
acked=0
for i in 1 2 3; do acked=$((acked + $(grep -c '^ok' "$work/c.enq$i"))); done
"${W[@]}" drain "$C" 240 > "$work/c.drain" 2>&1
lost=0
for i in 1 2 3; do
    n=$(grep -c '^ok' "$work/c.enq$i")
    read -r total distinct missing max < <("${W[@]}" count "C$i" "$n" | "$PHP" -n -r '$v=json_decode(stream_get_contents(STDIN),true); echo "$v[total] $v[distinct] $v[missing] $v[max]\n";')
    lost=$((lost + missing))
    [ "$max" -gt 1 ] && lost=$((lost + 1000000))
done
echo "$acked acknowledged before the kills; $lost lost"
check "C: every acknowledged enqueue ($acked) delivered once after the kills, the file still usable" test "$lost" = 0 -a "$acked" -gt 0 -a "$(field pending < "$work/c.drain")" = 0

echo "== D: Redis (AOF, fsync always) killed and restarted mid-run"
if ! command -v redis-server > /dev/null; then
    echo "OUTBOX FAIL D: redis-server is not installed (make test-deps)"
    exit 0
fi
port=$("$PHP" -n -r '$s = stream_socket_server("tcp://127.0.0.1:0"); echo substr(strrchr(stream_socket_get_name($s, false), ":"), 1);')
mkdir -p "$work/redis"
redis() {
    redis-server --port "$port" --bind 127.0.0.1 --dir "$work/redis" --appendonly yes --appendfsync always \
        --save '' --daemonize no --logfile "$work/redis.log" &
    rpid=$!
    for _ in $(seq 600); do redis-cli -p "$port" ping > /dev/null 2>&1 && break; sleep 0.05; done
}
redis
R=redis://127.0.0.1:$port/0
ND=$((N / 2))
control fault '{"kind":"status","status":503,"count":100000000,"match":"\"D-"}'
"${W[@]}" enqueue "$R" D 0 "$ND" > "$work/d.enq"
"${W[@]}" enqueue "$R" E 0 500 > "$work/e.enq" &
for i in 1 2 3; do "${W[@]}" drain "$R" 240 > "$work/d.drain$i" 2>&1 & done
sleep 1
control clear
sleep 0.5
kill -9 "$rpid"; wait "$rpid" 2>/dev/null
sleep 0.5
redis
pids+=("$rpid")
wait_drains
"${W[@]}" drain "$R" 60 > "$work/d.final" 2>&1
read -r totald distinctd missingd maxd < <("${W[@]}" count D "$ND" | "$PHP" -n -r '$v=json_decode(stream_get_contents(STDIN),true); echo "$v[total] $v[distinct] $v[missing] $v[max]\n";')
ne=$(grep -c '^ok' "$work/e.enq")
read -r totale distincte missinge maxe < <("${W[@]}" count E "$ne" | "$PHP" -n -r '$v=json_decode(stream_get_contents(STDIN),true); echo "$v[total] $v[distinct] $v[missing] $v[max]\n";')
echo "D: recorded $totald of $ND ($missingd missing); E (enqueued across the restart): $ne acknowledged, $missinge missing; repeats $((totald - ND + totale - distincte))"
check "D: nothing acknowledged lost across a Redis kill -9 and restart" test "$missingd" = 0 -a "$missinge" = 0 -a "$ne" = 500
check "D: repeats at most the sends in flight ($K for each of 3 drainers)" test $((totald - ND + totale - distincte)) -le $((3 * K))
check "D: the Redis outbox agrees (pending 0, dead 0)" test "$(field pending < "$work/d.final")" = 0 -a "$(field dead < "$work/d.final")" = 0
