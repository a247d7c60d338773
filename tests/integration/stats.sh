# ferry stats (issue 8, point 7): docker's columns, units and JSON keys; --no-stream, --all,
# --no-trunc, --format; figures from the container's cgroups where it has them (a memory limit),
# else summed over its processes (a container without limits on a cgroup v1 host,
# runtime/container_stats.hpp); the streaming redraw, which ends when the containers named are
# removed.
source "$FERRY_SRC/tests/integration/container_lib.sh"

bb_image bb:1
ctr_run busy bb:1 sh -c 'dd if=/dev/zero of=/written bs=1M count=4 oflag=direct 2>/dev/null; touch /done; while :; do :; done'
ctr_run capped --memory 64m --pids-limit 50 bb:1 sh -c 'sleep 1000 & sleep 1000 & wait'
ctr_create idle bb:1 true
ctr_wait_file busy /done
for _ in $(seq 100); do [ "$(ferry top capped | wc -l)" = 4 ] && break; sleep 0.05; done
FIELDS='{{.Name}}|{{.CPUPerc}}|{{.MemUsage}}|{{.MemPerc}}|{{.NetIO}}|{{.BlockIO}}|{{.PIDs}}'
# host_memory: the host's memory as docker's BytesSize prints it (the limit of a container
# without one).
host_memory() {
    python3 -c '
import re
kb = int(re.search(r"MemTotal:\s+(\d+)", open("/proc/meminfo").read()).group(1))
size, units = kb * 1024.0, ["B", "KiB", "MiB", "GiB", "TiB"]
i = 0
while size >= 1024 and i < len(units) - 1:
    size /= 1024; i += 1
print("%.4g%s" % (size, units[i]))'
}

note "--no-stream: the running containers, newest first, docker's columns"
out=$(ferry stats --no-stream)
expect_eq "$(printf '%s\n' "$out" | head -1 | sed 's/  */|/g')" "CONTAINER|ID|NAME|CPU|%|MEM|USAGE|/|LIMIT|MEM|%|NET|I/O|BLOCK|I/O|PIDS" "header"
expect_eq "$(printf '%s\n' "$out" | awk 'NR>1 {print $2}' | tr '\n' ' ')" "capped busy " "rows"
expect_eq "$(printf '%s\n' "$out" | awk 'NR==2 {print $1}')" "$(full_id capped | cut -c1-12)" "short ID"

note "figures"
IFS='|' read -r name cpu mem memp net block pids < <(ferry stats --no-stream --format "$FIELDS" busy)
expect_eq "$name" busy
[[ "$cpu" =~ ^[0-9]+\.[0-9]{2}%$ && "$cpu" != 0.00% ]] || fail "CPU % of a busy loop: [$cpu]"
[[ "$mem" =~ ^[0-9.]+(B|KiB|MiB)\ /\ [0-9.]+[KMGT]iB$ && "$mem" != "0B / "* ]] || fail "MEM USAGE of busy: [$mem]"
expect_eq "${mem#* / }" "$(host_memory)" "the limit of a container without one is the host's memory"
[[ "$memp" =~ ^[0-9]+\.[0-9]{2}%$ ]] || fail "MEM %: [$memp]"
expect_eq "$net" "0B / 0B" "NET I/O"
[[ "$block" =~ ^[0-9.]+[kMG]?B\ /\ [0-9.]+[kMG]?B$ ]] || fail "BLOCK I/O: [$block]"
w=${block#* / }
[[ "$w" =~ MB$ ]] && [ "${w%MB}" != 0 ] || fail "4 MB written with O_DIRECT not counted: [$block]"
expect_eq "$pids" 1 "PIDS of busy"
IFS='|' read -r name cpu mem memp net block pids < <(ferry stats --no-stream --format "$FIELDS" capped)
expect_eq "${mem#* / }" 64MiB "the memory limit"
expect_eq "$pids" 3 "PIDS of capped (sh and two sleeps)"
python3 - "$mem" "$memp" <<'PY' || fail "MEM % is not MEM USAGE over the limit: [$mem] [$memp]"
import sys
units = {"B": 1, "KiB": 1024, "MiB": 1024**2, "GiB": 1024**3}
used = sys.argv[1].split(" / ")[0]
value = next(float(used[:-len(u)]) * m for u, m in sorted(units.items(), key=lambda x: -len(x[0])) if used.endswith(u))
want = value / (64 * 1024 * 1024) * 100
assert abs(float(sys.argv[2].rstrip("%")) - want) < 0.05, (want, sys.argv[2])
PY

note "--all: stopped containers show zeros; --no-trunc; a name as typed is the Container field"
expect_eq "$(ferry stats --no-stream --all --format "$FIELDS" | grep '^idle|')" "idle|0.00%|0B / 0B|0.00%|0B / 0B|0B / 0B|0"
expect_eq "$(ferry stats --no-stream --no-trunc --format '{{.ID}} {{.Container}}' idle)" "$(full_id idle) idle"
prefix=$(full_id capped | cut -c1-8)
expect_eq "$(ferry stats --no-stream --format '{{.Container}} {{.Name}}' "$prefix")" "$prefix capped"
expect_eq "$(ferry stats --no-stream --all --format '{{.Container}}' | grep -c '^[0-9a-f]\{64\}$')" 3 "Container is the full ID when none are named"

note "--format json and table"
ferry stats --no-stream --format json capped >"$TEST_TMP/stats.json"
expect_eq "$(json_get "$TEST_TMP/stats.json" 'list(d.keys())')" "['BlockIO', 'CPUPerc', 'Container', 'ID', 'MemPerc', 'MemUsage', 'Name', 'NetIO', 'PIDs']"
expect_eq "$(ferry stats --no-stream --format '{{json .}}' capped | python3 -c 'import json,sys; print(sorted(json.load(sys.stdin)))')" \
    "['BlockIO', 'CPUPerc', 'Container', 'ID', 'MemPerc', 'MemUsage', 'Name', 'NetIO', 'PIDs']"
expect_eq "$(ferry stats --no-stream --format 'table {{.Container}}\t{{.Name}}\t{{.PIDs}}' capped)" \
    "$(printf 'CONTAINER   NAME      PIDS\ncapped      capped    3')"

note "nothing to show; errors"
ferry rm -f busy capped >/dev/null
expect_out "" ferry stats --no-stream  # only idle is left, not running
expect_fail 125 'ferry: error: no such container `nosuch`' ferry stats --no-stream idle nosuch
expect_contains "$(ferry stats --help)" "Display a live stream of container(s) resource usage statistics"

note "streaming: redrawn in place; ends when the containers named are removed"
ctr_run live bb:1 sleep 1000
ferry stats live >"$TEST_TMP/stream" &
stats=$!
for _ in $(seq 200); do [ "$(grep -o $'\e\\[J' "$TEST_TMP/stream" | wc -l)" -ge 2 ] && break; sleep 0.05; done
[ "$(grep -o $'\e\\[J' "$TEST_TMP/stream" | wc -l)" -ge 2 ] || fail "no two frames: [$(cat -v "$TEST_TMP/stream")]"
first=$(python3 -c 'import sys; s=open(sys.argv[1]).read(); print(repr(s[:s.index("\x1b[J")+3]))' "$TEST_TMP/stream")
[[ "$first" =~ ^\'\\x1b\[HCONTAINER\ ID.*PIDS\\x1b\[K\\n[0-9a-f]{12}\ +live\ .*\ 1\\x1b\[K\\n\\x1b\[K\\n\\x1b\[J\'$ ]] || fail "first frame: $first"
ferry rm -f live >/dev/null
for _ in $(seq 100); do kill -0 "$stats" 2>/dev/null || break; sleep 0.05; done
kill -0 "$stats" 2>/dev/null && { kill "$stats"; fail "stats did not end when its container was removed"; }
wait "$stats" || fail "stats ended with status $?"
expect_eq "$(tail -c 6 "$TEST_TMP/stream" | od -An -c | tr -s ' ')" " 033 [ H 033 [ J" "the last frame clears the screen"
