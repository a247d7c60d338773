# The million-entry archive of tests/fixtures/make_bad_archives.py --million (~560 MB, a layer of
# 1,000,000 tiny files in 1,000 directories): `ferry load` takes it, `ferry save` gives it back
# byte for byte, and rmi removes it. Takes a minute or two (the load creates a million files).
# Their peak memory (under 64 MB) is measured by bench/memory.sh.

free=$(df -Pk "$TEST_TMP" | awk 'NR == 2 { print $4 }')
[ "$free" -gt $((3 * 1024 * 1024)) ] || skip "needs 3 GB free in $TEST_TMP"

fixture make_bad_archives.py bad --million
grep -q $'^million-entries.tar\tbounded\t' bad/cases.tsv || fail "cases.tsv lacks the million-entry case"
rm -f bad/oversized-manifest.tar  # the other cases are not needed here

note "load: a million entries"
expect_out "Loaded image: ferry-test/bad:1" ferry load -q -i bad/million-entries.tar
layer=$(chain_dir_of "$(inspect_field ferry-test/bad:1 RootFS.Layers)")/diff
expect_eq "$(find "$layer" -type f -printf '%s\n' | sort | uniq -c | awk '{ print $2 ":" $1 }' | paste -sd' ')" \
    "0:900000 1:100000" "files unpacked (size:count)"

note "save: the same archive back, byte for byte"
expect_out "" ferry save -q -o saved.tar ferry-test/bad:1
archive_ids bad/million-entries.tar saved.tar >/dev/null || fail "the saved archive differs from the original"
rm -f saved.tar

note "rmi removes it all"
ferry rmi ferry-test/bad:1 >/dev/null
expect_out "" ferry images -q
expect_eq "$(ls "$FERRY_ROOT/layers" "$FERRY_ROOT/tmp")" "$FERRY_ROOT/layers:

$FERRY_ROOT/tmp:" "store after rmi"
