#!/usr/bin/env bash
# The supervision benchmark: the figures tests/integration/run_supervision.sh used to assert
# (it keeps the functional checks), printed with their targets.
#
#   bench/supervision.sh [FERRY_BINARY]   (default: build/ferry)
#
#   1. the back-off of `--restart on-failure:3` of a command that fails at once: the time from
#      `run -d` to the last exit (docker's 100 + 200 + 400 ms: target at least 700 ms);
#   2. `stop` of a container in its back-off: how long it takes (target under 1 s: it must not
#      wait for the back-off);
#   3. $FERRY_BENCH_DETACHED (default 100) detached containers: each monitor's RSS and PSS
#      (/proc/PID/smaps_rollup; targets: RSS at most 1 MB, PSS at most design.md's 0.3 MB) and
#      the time one `stop` of all of them takes;
#   4. `run --rm` of a command whose grandchild keeps stdout open (target under 5 s: run returns
#      when the command exits).
# Needs root. Missed targets are reported, not failed: the exit status is non-zero only on
# errors. Everything is removed at the end.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
FERRY=${1:-$repo/build/ferry}
n=${FERRY_BENCH_DETACHED:-100}
[ "$(id -u)" = 0 ] || { echo "supervision bench: needs root" >&2; exit 1; }
work=$(mktemp -d /var/tmp/ferry-supervision-bench-XXXXXX)
export FERRY_ROOT=$work/store
cleanup() {
    # shellcheck disable=SC2046
    "$FERRY" rm -f $("$FERRY" ps -aq 2>/dev/null) >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }
# report WHAT VALUE UNIT OK TARGET: one line; OK is 0 when the target is met.
report() {
    local verdict=""
    [ "$4" = 0 ] || verdict=", MISSED"
    printf '%-52s %8s %-3s (target: %s%s)\n' "$1" "$2" "$3" "$5" "$verdict"
}
state() { "$FERRY" inspect -f '{{.State.Status}}' "$1"; }
monitor_of() { sed -n 's/^monitor_pid=//p' "$FERRY_ROOT/containers/$("$FERRY" inspect -f '{{.Id}}' "$1")/state"; }

rootfs=$work/rootfs
mkdir -p "$rootfs/bin" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev" "$rootfs/etc"
cp "$(command -v busybox)" "$rootfs/bin/busybox"
for a in $(busybox --list); do [ -e "$rootfs/bin/$a" ] || ln -s busybox "$rootfs/bin/$a"; done
tar -C "$rootfs" -cf "$work/bb.tar" .
"$FERRY" import -q -c 'CMD ["/bin/sh"]' "$work/bb.tar" bb:1 >/dev/null

t0=$(date +%s%N)
"$FERRY" run -d --restart on-failure:3 --name of3 bb:1 sh -c 'exit 3' >/dev/null
until [ "$(state of3)" = exited ] && [ "$("$FERRY" inspect -f '{{.RestartCount}}' of3)" = 3 ]; do
    sleep 0.01
done
ms=$(ms_since "$t0")
report "on-failure:3, run -d to the last exit" "$ms" ms "$([ "$ms" -ge 700 ]; echo $?)" "at least 700 ms"

"$FERRY" run -d --restart on-failure --name ofn bb:1 sh -c 'exit 1' >/dev/null
until [ "$("$FERRY" inspect -f '{{.RestartCount}}' ofn)" -ge 4 ]; do sleep 0.05; done
until [ "$(state ofn)" = restarting ]; do sleep 0.01; done
t0=$(date +%s%N)
"$FERRY" stop ofn >/dev/null
ms=$(ms_since "$t0")
report "stop of a container in its back-off" "$ms" ms "$([ "$ms" -lt 1000 ]; echo $?)" "under 1000 ms"

for i in $(seq "$n"); do
    "$FERRY" run -d --name "mem$i" bb:1 sh -c 'trap "exit 0" TERM; sleep 1000 & wait' >/dev/null
done
rss_total=0 pss_total=0 rss_max=0 pss_max=0
for i in $(seq "$n"); do
    read -r rss pss < <(awk '/^Rss:/ {r = $2} /^Pss:/ {p = $2} END {print r, p}' \
        "/proc/$(monitor_of "mem$i")/smaps_rollup")
    rss_total=$((rss_total + rss)) pss_total=$((pss_total + pss))
    [ "$rss" -le "$rss_max" ] || rss_max=$rss
    [ "$pss" -le "$pss_max" ] || pss_max=$pss
done
report "monitor RSS over $n containers, mean" "$((rss_total / n))" kB 0 "-"
report "monitor RSS over $n containers, max" "$rss_max" kB "$([ "$rss_max" -le 1024 ]; echo $?)" "at most 1024 kB"
report "monitor PSS over $n containers, mean" "$((pss_total / n))" kB 0 "-"
report "monitor PSS over $n containers, max" "$pss_max" kB "$([ "$pss_max" -le 300 ]; echo $?)" "at most 300 kB"
t0=$(date +%s%N)
# shellcheck disable=SC2046
"$FERRY" stop $("$FERRY" ps -q) >/dev/null
report "stop of $n containers at once" "$(ms_since "$t0")" ms 0 "-"

t0=$(date +%s%N)
timeout 60 "$FERRY" run --rm bb:1 sh -c 'sleep 60 & echo done' </dev/null >/dev/null
ms=$(ms_since "$t0")
report "run --rm with a grandchild holding stdout" "$ms" ms "$([ "$ms" -lt 5000 ]; echo $?)" "under 5000 ms"
