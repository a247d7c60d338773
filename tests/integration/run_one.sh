#!/usr/bin/env bash
# Runs one integration test script with a fresh scratch directory (TEST_TMP) that is removed
# afterwards, whatever the outcome. Exit 77 means skipped.
set -u
here=$(cd "$(dirname "$0")" && pwd)
test_script=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
export TEST_TMP
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/ferry-it-XXXXXX")
chmod 755 "$TEST_TMP"
cleanup() {
    # The bridges and firewall chains of the test's store (made by its first container on a
    # bridge network; a bridge outlives its containers, as docker0 does).
    if [ -d "$TEST_TMP/store/networks" ] && [ -n "${FERRY:-}" ]; then
        "$FERRY" --root "$TEST_TMP/store" __network-teardown 2>/dev/null
    fi
    # Unmount anything a test left mounted under the scratch directory, then remove it.
    if [ -d "$TEST_TMP" ]; then
        grep -o " $TEST_TMP[^ ]*" /proc/self/mounts 2>/dev/null | sort -r | while read -r m; do
            umount -l "$m" 2>/dev/null
        done
        rm -rf "$TEST_TMP" 2>/dev/null || { chattr -R -i "$TEST_TMP" 2>/dev/null; rm -rf "$TEST_TMP"; }
    fi
}
trap cleanup EXIT
cd "$TEST_TMP" || exit 1
bash -c 'set -euo pipefail; source "$1"; source "$2"' _ "$here/lib.sh" "$test_script"
