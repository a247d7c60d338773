#!/usr/bin/env bash
# The memory benchmark: ferry's peak memory on a million-entry archive (the bound of issue 2,
# moved here from tests/integration/bounded_memory.sh, which keeps the functional checks), and
# the memory of a streamed tar parse (build/bench/tar_memory_bench).
#
#   bench/memory.sh [FERRY_BINARY]   (default: build/ferry)
#
# Generates tests/fixtures/make_bad_archives.py --million (~560 MB, 1,000,000 one-byte files),
# then prints the peak resident set size of `ferry load -i` and `ferry save -o` of it (target:
# under 64 MB each) measured by /usr/bin/time -v. Needs 3 GB free under $TMPDIR (or /var/tmp).
# Missed targets are reported, not failed: the exit status is non-zero only on errors.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
FERRY=${1:-$repo/build/ferry}
[ -x /usr/bin/time ] || { echo "memory bench: needs /usr/bin/time (Debian: time)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/var/tmp}/ferry-memory-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT
export FERRY_ROOT=$work/store
limit_kb=$((64 * 1024))
peak_kb() { awk -F': ' '/Maximum resident set size/ { print $2 }' "$1"; }
report() {  # report WHAT KB
    local verdict=""
    [ "$2" -lt "$limit_kb" ] || verdict=", MISSED"
    printf '%-40s %8d kB (target: under %d kB%s)\n' "$1" "$2" "$limit_kb" "$verdict"
}

python3 "$repo/tests/fixtures/make_bad_archives.py" "$work/bad" --million >/dev/null
/usr/bin/time -v -o "$work/load.time" "$FERRY" load -q -i "$work/bad/million-entries.tar" >/dev/null
report "load of 1,000,000 entries: peak RSS" "$(peak_kb "$work/load.time")"
/usr/bin/time -v -o "$work/save.time" "$FERRY" save -q -o "$work/saved.tar" ferry-test/bad:1
report "save of 1,000,000 entries: peak RSS" "$(peak_kb "$work/save.time")"
"$FERRY" rmi ferry-test/bad:1 >/dev/null
if [ -x "$repo/build/bench/tar_memory_bench" ]; then
    "$repo/build/bench/tar_memory_bench"
fi
