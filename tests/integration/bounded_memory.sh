# The million-entry archive of tests/fixtures/make_bad_archives.py --million (~560 MB, a layer of
# 1,000,000 tiny files in 1,000 directories): `ferry load` takes it with peak memory under 64 MB,
# `ferry save` gives it back byte for byte under the same bound, and rmi removes it. Takes a
# minute or two (the load creates a million files).

[ -x /usr/bin/time ] || skip "GNU time (/usr/bin/time) is needed to measure peak memory"
free=$(df -Pk "$TEST_TMP" | awk 'NR == 2 { print $4 }')
[ "$free" -gt $((3 * 1024 * 1024)) ] || skip "needs 3 GB free in $TEST_TMP"
# peak_kb LOG: the peak resident set size /usr/bin/time -v reported, in kB.
peak_kb() { awk -F': ' '/Maximum resident set size/ { print $2 }' "$1"; }
limit_kb=$((64 * 1024))

fixture make_bad_archives.py bad --million
grep -q $'^million-entries.tar\tbounded\t' bad/cases.tsv || fail "cases.tsv lacks the million-entry case"
rm -f bad/oversized-manifest.tar  # the other cases are not needed here

note "load: a million entries, peak memory under 64 MB"
/usr/bin/time -v -o load.time "$FERRY" load -q -i bad/million-entries.tar >load.out
expect_eq "$(cat load.out)" "Loaded image: ferry-test/bad:1" "output of the load"
peak=$(peak_kb load.time)
note "peak memory of the load: $peak kB"
[ "$peak" -lt "$limit_kb" ] || fail "load peaked at $peak kB (limit $limit_kb kB)"
layer=$(chain_dir_of "$(inspect_field ferry-test/bad:1 RootFS.Layers)")/diff
expect_eq "$(find "$layer" -type f -printf '%s\n' | sort | uniq -c | awk '{ print $2 ":" $1 }' | paste -sd' ')" \
    "0:900000 1:100000" "files unpacked (size:count)"

note "save: the same archive back, byte for byte, peak memory under 64 MB"
/usr/bin/time -v -o save.time "$FERRY" save -q -o saved.tar ferry-test/bad:1
peak=$(peak_kb save.time)
note "peak memory of the save: $peak kB"
[ "$peak" -lt "$limit_kb" ] || fail "save peaked at $peak kB (limit $limit_kb kB)"
archive_ids bad/million-entries.tar saved.tar >/dev/null || fail "the saved archive differs from the original"
rm -f saved.tar

note "rmi removes it all"
ferry rmi ferry-test/bad:1 >/dev/null
expect_out "" ferry images -q
expect_eq "$(ls "$FERRY_ROOT/layers" "$FERRY_ROOT/tmp")" "$FERRY_ROOT/layers:

$FERRY_ROOT/tmp:" "store after rmi"
