#!/usr/bin/env bash
# The networking benchmark (issue 10, point 5): ferry's bridge networking side by side with
# docker's and podman's, in one run, on one image (busybox-static with the host's iperf3 and its
# libraries), imported into each.
#
#   bench/net.sh [FERRY_BINARY]        (default build/ferry)
#
# 1. What networking adds to `run --rm IMG true`: the default network against `--network none`,
#    timed pairwise (hyperfine -N, alternating the two in one invocation) per tool; the cost is
#    the difference of the medians. Target: <= 3 ms for ferry.
# 2. TCP throughput through a published port: `iperf3 -s` in the container (-p 15201:5201), the
#    client on the host to 127.0.0.1 and to the host's own address, 5 s each, against iperf3
#    on plain host loopback. Target: >= 0.9x loopback (rootful). ferry is measured on the default
#    bridge (docker's MTU, 1500) and on a network with MTU 65520 (pasta's). docker is measured as it runs
#    (its userland proxy on, Debian's default) and, when this script started the dockerd, again
#    with --userland-proxy=false; podman (Debian 12: 4.3, netavark's bridge; pasta needs 4.4).
# 3. Connections per second through a published port: ApacheBench (`ab -n 3000 -c 4`, short
#    HTTP/1.0 requests) against busybox httpd in the container, and against it on the host.
# 4. 100 containers each publishing a port (-p 21000+i:80): the time to start them all, each
#    then reached once through its port, then all removed; it checks that no lease, published
#    port, veth or process of theirs is left.
# 5. Rootless (a user this script creates, with subordinate ids): the start cost of pasta (the
#    default) and of a user-defined network (its namespace kept up by a resident container)
#    against --network none, and iperf3 through -p with each (pasta forwards; a user network's
#    ports go through ferry's proxy). Target: <= 3 ms added, >= 0.5x loopback. Rootless podman
#    is not measured (Debian 12's 4.3 has no pasta). pasta by itself (bench/pasta_floor.py: its
#    start on an empty namespace until it has configured it, and its end) is printed beside
#    them: the floor under the pasta row.
# Missed targets are reported, not failed: the exit status is non-zero only on errors.
set -euo pipefail

FERRY=${1:-$(cd "$(dirname "$0")/.." && pwd)/build/ferry}
source "$(dirname "$0")/lib.sh"
bench_init iperf3 ab busybox curl nft
runs=${FERRY_BENCH_NET_RUNS:-30}
n_many=${FERRY_BENCH_NET_MANY:-100}
work="$cache/net"
rm -rf "$work"
mkdir -p "$work"
store="$work/ferry-store"
F="$FERRY --root $store"
img=ferry-bench/net:1
prefix=ferry-bench-net
at_exit "$F rm -f \$($F ps -aq) >/dev/null 2>&1; $F --root $store __network-teardown 2>/dev/null; rm -rf $work"

dev=$(ip -4 route show default | awk '{print $5; exit}')
hostip=$(ip -4 -o addr show ${dev:+dev "$dev"} scope global | awk '{split($4, a, "/"); print a[1]; exit}')
[ -n "$hostip" ] || die "the host has no global IPv4 address"

note "building the image (busybox-static and the host's iperf3)"
rootfs="$work/rootfs"
mkdir -p "$rootfs"/{bin,proc,sys,dev,etc,tmp,www}
cp "$(command -v busybox)" "$rootfs/bin/busybox"
for a in $(busybox --list); do [ -e "$rootfs/bin/$a" ] || ln -s busybox "$rootfs/bin/$a"; done
iperf=$(command -v iperf3)
cp "$iperf" "$rootfs/bin/iperf3"
for lib in $(ldd "$iperf" | grep -o '/[^ ]*'); do
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
done
echo hello >"$rootfs/www/index.html"
tar -C "$rootfs" -cf "$work/net.tar" .
$F import -q -c 'CMD ["/bin/sh"]' "$work/net.tar" $img >/dev/null

start_docker
have_docker=${have_docker:-0}
if [ "$have_docker" = 1 ]; then
    "$DOCKER" import -c 'CMD ["/bin/sh"]' "$work/net.tar" $img >/dev/null
    at_exit "$DOCKER rm -f \$($DOCKER ps -aq --filter name=$prefix) >/dev/null 2>&1; $DOCKER rmi $img >/dev/null 2>&1"
fi
setup_podman "$work/podman"
if [ "$have_podman" = 1 ]; then
    $PODMAN import -q -c 'CMD ["/bin/sh"]' "$work/net.tar" $img >/dev/null
    at_exit "$PODMAN rm -af >/dev/null 2>&1; $PODMAN rmi -af >/dev/null 2>&1"
fi

# ---------------------------------------------------------------------------------------------
# 1. Start cost.
declare -A cost
pair() {  # pair TOOL COMMAND_PREFIX: the none/default medians and their difference, in ms
    local tool=$1 cmd=$2
    note "timing $tool: run --rm with and without its default network"
    hyperfine -N --style basic -w 3 -r "$runs" --export-json "$work/start-$tool.json" \
        -n none "$cmd run --rm --network none $img true" -n default "$cmd run --rm $img true" \
        >"$work/start-$tool.log" 2>&1 || { note "$tool failed: $(tail -3 "$work/start-$tool.log")"; failed=1; return; }
    cost[$tool]=$("$python" -c 'import json, sys
r = {x["command"]: x["median"] * 1000 for x in json.load(open(sys.argv[1]))["results"]}
print("%.1f %.1f %.1f" % (r["none"], r["default"], r["default"] - r["none"]))' "$work/start-$tool.json")
}
sync
pair ferry "$F"
[ "$have_docker" = 1 ] && pair docker "$DOCKER"
[ "$have_podman" = 1 ] && pair podman "$PODMAN"

# ---------------------------------------------------------------------------------------------
# 2. Throughput.
declare -A gbps
iperf_to() {  # iperf_to NAME HOST PORT: Gbit/s received, 5 s
    local out
    for _ in $(seq 50); do
        out=$(iperf3 -c "$2" -p "$3" -t 5 -J 2>/dev/null) && break
        sleep 0.1
    done
    gbps[$1]=$("$python" -c 'import json, sys
print("%.1f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))' <<<"$out" 2>/dev/null || echo -)
}
note "throughput: host loopback"
iperf3 -s -p 15301 -D -I "$work/iperf-host.pid"
at_exit "kill \$(cat $work/iperf-host.pid) 2>/dev/null"
iperf_to loopback 127.0.0.1 15301
note "throughput: ferry"
$F run -d --name $prefix-iperf -p 15201:5201 $img iperf3 -s >/dev/null
iperf_to ferry-lo 127.0.0.1 15201
iperf_to ferry-ip "$hostip" 15201
$F rm -f $prefix-iperf >/dev/null
# The same on a network with pasta's MTU (65520) instead of docker's 1500: what the MTU costs.
$F network create -o com.docker.network.driver.mtu=65520 $prefix-mtu >/dev/null
$F run -d --name $prefix-iperf --network $prefix-mtu -p 15201:5201 $img iperf3 -s >/dev/null
iperf_to ferry-mtu65520-lo 127.0.0.1 15201
iperf_to ferry-mtu65520-ip "$hostip" 15201
$F rm -f $prefix-iperf >/dev/null
$F network rm $prefix-mtu >/dev/null
docker_iperf() {  # docker_iperf LABEL
    "$DOCKER" run -d --name $prefix-iperf -p 15202:5201 $img iperf3 -s >/dev/null
    iperf_to "$1-lo" 127.0.0.1 15202
    iperf_to "$1-ip" "$hostip" 15202
    "$DOCKER" rm -f $prefix-iperf >/dev/null
}
if [ "$have_docker" = 1 ]; then
    note "throughput: docker"
    docker_iperf docker
    if [ -n "${started_dockerd:-}" ]; then
        note "throughput: docker with --userland-proxy=false"
        stop_dockerd
        dockerd --userland-proxy=false >"$cache/dockerd-noproxy.log" 2>&1 &
        started_dockerd=$!
        for _ in $(seq 60); do "$DOCKER" info >/dev/null 2>&1 && break; sleep 0.5; done
        docker_iperf docker-noproxy
    fi
fi
if [ "$have_podman" = 1 ]; then
    note "throughput: podman"
    $PODMAN run -d --name $prefix-iperf -p 15203:5201 $img iperf3 -s >/dev/null
    iperf_to podman-lo 127.0.0.1 15203
    iperf_to podman-ip "$hostip" 15203
    $PODMAN rm -f $prefix-iperf >/dev/null
fi

# ---------------------------------------------------------------------------------------------
# 3. Connections per second.
declare -A rps
ab_to() {  # ab_to NAME URL
    for _ in $(seq 50); do curl -s -m 1 "$2" >/dev/null && break; sleep 0.1; done
    rps[$1]=$(ab -q -n 3000 -c 4 "$2" 2>/dev/null | awk '/^Requests per second/ {printf "%d", $4}')
}
note "connections per second"
busybox httpd -p 127.0.0.1:15380 -h "$rootfs/www"
at_exit "pkill -f 'httpd -p 127.0.0.1:15380' 2>/dev/null"
ab_to host http://127.0.0.1:15380/
$F run -d --name $prefix-httpd -p 15281:80 $img httpd -f -p 80 -h /www >/dev/null
ab_to ferry http://127.0.0.1:15281/
$F rm -f $prefix-httpd >/dev/null
if [ "$have_docker" = 1 ]; then
    "$DOCKER" run -d --name $prefix-httpd -p 15282:80 $img httpd -f -p 80 -h /www >/dev/null
    ab_to docker http://127.0.0.1:15282/
    "$DOCKER" rm -f $prefix-httpd >/dev/null
fi
if [ "$have_podman" = 1 ]; then
    $PODMAN run -d --name $prefix-httpd -p 15283:80 $img httpd -f -p 80 -h /www >/dev/null
    ab_to podman http://127.0.0.1:15283/
    $PODMAN rm -f $prefix-httpd >/dev/null
fi

# ---------------------------------------------------------------------------------------------
# 4. Many containers, each with a port.
note "$n_many containers, each publishing a port"
t0=$(date +%s.%N)
for i in $(seq "$n_many"); do
    $F run -d --name $prefix-m$i -p $((21000 + i)):80 $img httpd -f -p 80 -h /www >/dev/null
done
t1=$(date +%s.%N)
reached=0
for i in $(seq "$n_many"); do
    [ "$(curl -s -m 3 "http://127.0.0.1:$((21000 + i))/")" = hello ] && reached=$((reached + 1))
done
$F rm -f $($F ps -aq) >/dev/null
left_leases=$(cat "$store"/networks/leases/*.json 2>/dev/null | wc -c || true)
left_ports=$(nft list map ip ferry pub_any 2>/dev/null | grep -c 'elements' || true)
left_veths=$(ip -br link show type veth | grep -c '^veth' || true)
left_procs=$(pgrep -fc "ferry-monitor.*$store" || true)
many_ms=$("$python" -c "print('%.1f' % (($t1 - $t0) * 1000 / $n_many))")

# ---------------------------------------------------------------------------------------------
# 5. Rootless.
ruser=ferrybn$$
rootless=0
if command -v useradd >/dev/null && command -v newuidmap >/dev/null && [ -x /usr/bin/pasta ] &&
    useradd -m -s /bin/sh "$ruser" 2>/dev/null; then
    rootless=1
    at_exit "pkill -u $ruser 2>/dev/null; sleep 0.5; userdel -r $ruser >/dev/null 2>&1; sed -i '/^$ruser:/d' /etc/subuid /etc/subgid"
    echo "$ruser:900000:65536" >>/etc/subuid
    echo "$ruser:900000:65536" >>/etc/subgid
    # The binary and the image where the user can read them.
    rdir=$(mktemp -d /tmp/ferry-bench-rootless.XXXXXX)
    at_exit "rm -rf $rdir"
    chmod 755 "$rdir"
    cp "$FERRY" "$work/net.tar" "$rdir/"
    chmod 644 "$rdir/net.tar"
    R="runuser -u $ruser -- env -i PATH=/usr/bin:/bin HOME=/home/$ruser $rdir/$(basename "$FERRY")"
    $R import -q -c 'CMD ["/bin/sh"]' "$rdir/net.tar" $img >/dev/null
    $R network create $prefix-lab >/dev/null
    $R run -d --name $prefix-resident --network $prefix-lab $img sleep 3600 >/dev/null
    note "timing rootless ferry: pasta, a user network, none"
    hyperfine -N --style basic -w 3 -r "$runs" --export-json "$work/start-rootless.json" \
        -n none "$R run --rm --network none $img true" -n pasta "$R run --rm $img true" \
        -n lab "$R run --rm --network $prefix-lab $img true" >"$work/start-rootless.log" 2>&1 ||
        { note "rootless timing failed: $(tail -3 "$work/start-rootless.log")"; failed=1; }
    cost[rootless]=$("$python" -c 'import json, sys
r = {x["command"]: x["median"] * 1000 for x in json.load(open(sys.argv[1]))["results"]}
print("%.1f %.1f %.1f %.1f %.1f" % (r["none"], r["pasta"], r["pasta"] - r["none"], r["lab"], r["lab"] - r["none"]))' "$work/start-rootless.json" 2>/dev/null || echo "- - - - -")
    note "pasta by itself (bench/pasta_floor.py)"
    mkdir "$rdir/pasta" && chown "$ruser" "$rdir/pasta"
    cp "$bench_dir/pasta_floor.py" "$rdir/"
    pasta_floor=$(runuser -u "$ruser" -- "$python" "$rdir/pasta_floor.py" "$runs" "$rdir/pasta" 2>/dev/null ||
        echo "- -")
    note "rootless throughput"
    $R run -d --name $prefix-iperf -p 15204:5201 $img iperf3 -s >/dev/null
    iperf_to rootless-pasta-lo 127.0.0.1 15204
    iperf_to rootless-pasta-ip "$hostip" 15204
    $R rm -f $prefix-iperf >/dev/null
    $R run -d --name $prefix-iperf --network $prefix-lab -p 15205:5201 $img iperf3 -s >/dev/null
    iperf_to rootless-lab-lo 127.0.0.1 15205
    iperf_to rootless-lab-ip "$hostip" 15205
    $R rm -f $prefix-iperf $prefix-resident >/dev/null
    $R network rm $prefix-lab >/dev/null
fi

# ---------------------------------------------------------------------------------------------
ratio() { "$python" -c "import sys
try: print('%.2fx' % (float(sys.argv[1]) / float(sys.argv[2])))
except (ValueError, ZeroDivisionError): print('-')" "$1" "$2"; }
echo
echo "networking cost of run --rm IMG true (medians, ms; $runs runs each; load $(load_average))"
printf '  %-8s %10s %10s %10s\n' tool none default added
for t in ferry docker podman; do
    [ -n "${cost[$t]:-}" ] || continue
    read -r a b c <<<"${cost[$t]}"
    printf '  %-8s %10s %10s %10s\n' "$t" "$a" "$b" "$c"
done
read -r _ _ added <<<"${cost[ferry]:-- - -}"
echo "  target: ferry adds <= 3 ms: $("$python" -c "import sys
try: print('met' if float(sys.argv[1]) <= 3 else 'MISSED')
except ValueError: print('-')" "$added")"
echo
echo "TCP throughput through a published port (iperf3, 5 s, Gbit/s; loopback ${gbps[loopback]})"
printf '  %-16s %12s %8s %12s %8s\n' setup 127.0.0.1 ratio "$hostip" ratio
for t in ferry ferry-mtu65520 docker docker-noproxy podman; do
    [ -n "${gbps[$t-lo]:-}" ] || continue
    printf '  %-16s %12s %8s %12s %8s\n' "$t" "${gbps[$t-lo]}" "$(ratio "${gbps[$t-lo]}" "${gbps[loopback]}")" \
        "${gbps[$t-ip]}" "$(ratio "${gbps[$t-ip]}" "${gbps[loopback]}")"
done
echo "  target: ferry >= 0.9x loopback (ferry, docker and podman's bridges use docker's MTU, 1500)"
if [ "$rootless" = 1 ]; then
    echo
    read -r a b c d e <<<"${cost[rootless]}"
    echo "rootless ferry (medians, ms): none $a, pasta $b (adds $c), user network $d (adds $e)"
    read -r a b <<<"$pasta_floor"
    echo "  pasta by itself on an empty namespace (medians, ms): starts in $a, ends in $b" \
        "(ferry waits for its start; its end only when it holds ports)"
    for t in rootless-pasta rootless-lab; do
        printf '  %-16s %12s %8s %12s %8s\n' "$t" "${gbps[$t-lo]}" "$(ratio "${gbps[$t-lo]}" "${gbps[loopback]}")" \
            "${gbps[$t-ip]}" "$(ratio "${gbps[$t-ip]}" "${gbps[loopback]}")"
    done
    echo "  target: adds <= 3 ms, >= 0.5x loopback"
fi
echo
echo "connections per second through a published port (ab -n 3000 -c 4; host httpd ${rps[host]:-})"
for t in ferry docker podman; do
    [ -n "${rps[$t]:-}" ] || continue
    printf '  %-8s %8s  %s of the host\n' "$t" "${rps[$t]}" "$(ratio "${rps[$t]}" "${rps[host]:-}")"
done
echo
echo "$n_many containers with a port each: $many_ms ms per start, $reached reached;" \
    "left after rm: $left_leases bytes of leases, $left_ports ports, $left_veths veths, $left_procs monitors"
[ "$reached" = "$n_many" ] && [ "$left_leases" = 0 ] && [ "$left_ports" = 0 ] &&
    [ "$left_veths" = 0 ] && [ "$left_procs" = 0 ] || failed=1
exit $failed
