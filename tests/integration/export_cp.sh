# ferry export (the merged file system, whiteouts applied) and ferry cp in both directions,
# against a running container (through its mount namespace) and a stopped one (its overlay
# mounted privately), with docker's path rules, exact error texts, and symlinks in the container
# that must never lead cp to a host path.
source "$FERRY_SRC/tests/integration/container_lib.sh"

base_image bb:1
ctr_run s1 bb:1 sh -c 'rm -rf /d1; mkdir -p /d1 /data/sub; echo n > /d1/n; rm /d2/g;
echo 1 > /data/a; echo 2 > /data/sub/b; ln /data/a /data/hl; ln -s /etc /data/etclink;
ln -s a /data/alink'
ctr_wait_exit s1

note "export: the merged tree"
ferry export -o "$TEST_TMP/s1.tar" s1
tar -tf "$TEST_TMP/s1.tar" | sort >"$TEST_TMP/s1.txt"
for want in bin/busybox d1/n d2/keep data/a data/hl data/sub/b etc/passwd; do
    grep -qx "$want" "$TEST_TMP/s1.txt" || fail "export lacks $want"
done
for gone in d1/f d1/sub/ d2/g; do
    grep -qx "$gone" "$TEST_TMP/s1.txt" && fail "export has the deleted $gone"
done
grep -q '\.wh\.' "$TEST_TMP/s1.txt" && fail "export has whiteout entries"
tar -tvf "$TEST_TMP/s1.tar" >"$TEST_TMP/s1-long.txt"
grep -q "data/hl link to data/a" "$TEST_TMP/s1-long.txt" || fail "hard link lost"
mkdir "$TEST_TMP/x" && tar -C "$TEST_TMP/x" -xf "$TEST_TMP/s1.tar"
expect_eq "$(cat "$TEST_TMP/x/d1/n")" n
ferry export s1 | cmp - "$TEST_TMP/s1.tar" || fail "export to stdout differs from -o"
[ "$(ls "$TEST_TMP" | grep -c 'tmp-')" = 0 ] || fail "export left a temporary file"
if command -v script >/dev/null; then
    out=$(script -qec "$FERRY export s1" /dev/null | tr -d '\r') && fail "export to a terminal succeeded"
    expect_eq "$out" "ferry: error: cowardly refusing to save to a terminal (use the -o flag or redirect)"
fi
expect_fail_match 125 'ferry: error: exporting to `/nonexistent/x.tar`: open `/nonexistent/x.tar.tmp-*`: No such file or directory' ferry export -o /nonexistent/x.tar s1

cd "$TEST_TMP" && mkdir out && cd out
note "cp from a stopped container"
ferry cp s1:/data .
expect_eq "$(find data | sort | tr '\n' ' ')" "data data/a data/alink data/etclink data/hl data/sub data/sub/b "
expect_eq "$(stat -c %h data/a)" 2 "hard link kept"
ferry cp s1:/data/. contents
expect_eq "$(ls contents | tr '\n' ' ')" "a alink etclink hl sub "
ferry cp s1:/data/a renamed && expect_eq "$(cat renamed)" 1
ferry cp s1:/data/alink lnk && expect_eq "$(readlink lnk)" a
ferry cp -L s1:/data/alink followed && expect_eq "$(cat followed)" 1
mkdir existing && ferry cp s1:/data/sub existing && expect_eq "$(cat existing/sub/b)" 2
expect_eq "$(ferry cp s1:/data/a - | tar -tv | awk '{print $1, $2, $6}')" "-rw-r--r-- 0/0 a"
expect_eq "$(stat -c %U renamed)" "$(id -un)" "owner of copied-out files"

note "cp errors, with docker's wording"
expect_fail 125 'ferry: error: Could not find the file /nonexist in container s1' ferry cp s1:/nonexist x
expect_fail 125 'ferry: error: `/data/a/` in container s1: not a directory' ferry cp s1:/data/a/ x
expect_fail 125 'ferry: error: cannot copy directory' ferry cp s1:/data renamed
expect_fail 125 'ferry: error: no such directory' ferry cp s1:/data/a newdir/
expect_fail 125 'ferry: error: invalid output path: directory "/nonexistent" does not exist' ferry cp s1:/data/a /nonexistent/x
expect_fail 125 'ferry: error: must specify at least one container source' ferry cp a b
expect_fail 125 'ferry: error: copying between containers is not supported' ferry cp s1:/a s1:/b
expect_fail 1 'ferry: error: no such container `nosuch`' ferry cp nosuch:/a b

note "cp into a running container"
ctr_run r1 bb:1 sh -c 'ln -s /etc /evil; ln -s ../../../../../../etc /evil2; ln -s /etc/hostname /hn;
touch /ready; exec sleep 1000'
ctr_wait_file r1 /ready
mkdir -p src/d/sub && echo hi >src/f && echo x >src/d/sub/x && chown 1234:5678 src/f
ferry cp src/f r1:/tmp/
ferry cp src/d r1:/tmp/newd
ferry cp src/d/. r1:/tmp/dd
ferry cp src/f r1:/tmp/renamed
tar -C src -c f | ferry cp - r1:/tmp/dd
ferry cp r1:/tmp - | tar -tv | awk '{print $2, $6}' | sort >listing
expect_eq "$(cat listing | tr '\n' ' ')" "0/0 tmp/ 0/0 tmp/dd/ 0/0 tmp/dd/sub/ 0/0 tmp/dd/sub/x 0/0 tmp/newd/ 0/0 tmp/newd/sub/ 0/0 tmp/newd/sub/x 1234/5678 tmp/dd/f 1234/5678 tmp/f 1234/5678 tmp/renamed "
expect_fail 125 'ferry: error: destination "r1:/tmp/renamed" must be a directory' ferry cp - r1:/tmp/renamed
expect_fail 125 'ferry: error: Could not find the file /nonexist in container r1' ferry cp src/f r1:/nonexist/x
expect_fail 125 'ferry: error: extraction point is not a directory' ferry cp src/f r1:/tmp/renamed/x
expect_fail 125 'ferry: error: cannot copy directory' ferry cp src/d r1:/tmp/renamed
expect_fail 125 "ferry: error: lstat \`$PWD/nosuch\`: No such file or directory" ferry cp nosuch r1:/tmp

note "cp into a stopped container"
ferry cp src/f s1:/data/fromhost
expect_eq "$(ferry cp s1:/data/fromhost - | tar -xO)" hi

note "symlinks in the container stay in the container"
echo MARKER >m
host_hostname=$(cat /etc/hostname)
ferry cp m r1:/evil/
ferry cp m r1:/evil2/m2
ferry cp m r1:/hn
[ ! -e /etc/m ] && [ ! -e /etc/m2 ] || fail "cp wrote through a container symlink to the host"
expect_eq "$(cat /etc/hostname)" "$host_hostname" "host /etc/hostname"
expect_eq "$(ferry cp r1:/etc/hostname - | tar -xO)" MARKER
expect_eq "$(ferry cp r1:/evil/passwd - | tar -xO)" "$(cat "$TEST_TMP/base-rootfs/etc/passwd")"
expect_fail 125 'ferry: error: Could not find the file /evil2/shadow in container r1' ferry cp r1:/evil2/shadow x
python3 -c "
import tarfile, io
b = io.BytesIO(); t = tarfile.open(fileobj=b, mode='w')
i = tarfile.TarInfo('../../escape'); i.size = 1; t.addfile(i, io.BytesIO(b'x')); t.close()
open('bad.tar', 'wb').write(b.getvalue())"
expect_fail 125 'ferry: error: invalid archive path `../../escape`' ferry cp - r1:/tmp <bad.tar

note "more destinations docker refuses"
mkfifo ff
ferry cp ff r1:/tmp/ff
expect_fail 125 'ferry: error: destination "r1:/tmp/ff" must be a directory or a regular file' ferry cp src/f r1:/tmp/ff
expect_fail 125 "ferry: error: stat \`$PWD/renamed/x\`: Not a directory" ferry cp s1:/data/a renamed/x

note "a container whose image lost a layer"
chain=$(ls "$FERRY_ROOT/layers")
rm -rf "${FERRY_ROOT:?}/layers/$chain"
expect_fail 125 "ferry: error: export \`s1\`: layer $chain of the container's image is missing from the store" ferry export s1
expect_fail 125 "ferry: error: commit \`s1\`: layer $chain of image $(ferry inspect -f '{{.Image}}' s1) is missing from the store" ferry commit s1
