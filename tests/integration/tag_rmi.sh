# `ferry tag` and `ferry rmi`: names moving between images, a digest target refused, images named
# by name, ID, ID prefix and `sha256:` prefix, `-f`, ambiguous and missing images, the
# multiple-repositories conflict, docker's `Untagged:` / `Deleted:` lines, and the layers going
# with the last image that uses them (and not before).

fixture make_listing_archive.py listing.tar >listing.ids
while read -r letter id _; do declare "id_$letter=$id"; done <listing.ids
ferry load -q -i listing.tar >/dev/null
names() { ferry images --format '{{.Repository}}:{{.Tag}} {{.ID}}'; }
short() { echo "${1:7:12}"; }
A=$(short "$id_A") B=$(short "$id_B") C=$(short "$id_C")
base=$(inspect_field "$A" RootFS.Layers)
IFS=, read -r _ b_layer <<<"$(inspect_field "$B" RootFS.Layers)"
c_layer=$(inspect_field "$C" RootFS.Layers)
chain_base=${base#sha256:}
chain_b=$(basename "$(chain_dir_of "$base" "$b_layer")")
chain_c=${c_layer#sha256:}

note "tag: a new name, normalised as docker, by name, ID, ID prefix and sha256: prefix"
expect_out "" ferry tag busybox ferry-it/copy
expect_out "" ferry tag "$id_A" ferry-it/by-id:1
expect_out "" ferry tag "${id_A:7}" ferry-it/by-id:2
expect_out "" ferry tag "${A:0:5}" ferry-it/by-prefix
expect_out "" ferry tag "sha256:${A:0:8}" docker.io/library/by-sha:latest
expect_out "" ferry image tag docker.io/library/busybox:latest index.docker.io/ferry-it/long:1
expect_eq "$(names | grep " $A$" | sort)" "busybox:latest $A
by-sha:latest $A
ferry-it/app:1 $A
ferry-it/by-id:1 $A
ferry-it/by-id:2 $A
ferry-it/by-prefix:latest $A
ferry-it/copy:latest $A
ferry-it/long:1 $A" "names of A"
[ "$(inspect_field busybox Metadata.LastTagTime)" != "0001-01-01T00:00:00Z" ] || fail "tag did not set LastTagTime"

note "tag: moving a name to another image; the old one keeps its other names"
expect_out "" ferry tag ferry-it/app:2 busybox
expect_out "$B" ferry images -q busybox
expect_out "$A" ferry images -q ferry-it/app:1
note "tag: moving the only name of an image leaves it dangling"
expect_out "" ferry tag "$C" ferry-it/c:1
expect_out "" ferry images -q -f dangling=true
expect_out "" ferry tag "$A" ferry-it/c:1
expect_out "$C" ferry images -q -f dangling=true
note "tag: the same name on the same image again changes nothing"
before=$(names)
expect_out "" ferry tag "$A" ferry-it/c:1
expect_out "$before" names

note "tag: bad input"
expect_fail 125 'ferry: error: tag `busybox@sha256:'"${id_A:7}"'`: refusing to create a tag with a digest reference' \
    ferry tag busybox "busybox@sha256:${id_A:7}"
expect_fail 125 'ferry: error: tag `Upper/Case`: invalid reference format: repository name must be lowercase' \
    ferry tag busybox Upper/Case
expect_fail 125 'ferry: error: tag `a:b:c`: invalid reference format' ferry tag busybox a:b:c
expect_fail 125 'ferry: error: tag `x:`: invalid reference format' ferry tag busybox x:
expect_fail 125 "ferry: error: tag \`${id_A:7}\`: invalid repository name (${id_A:7}), cannot specify 64-byte hexadecimal strings" \
    ferry tag busybox "${id_A:7}"
expect_fail 1 'ferry: error: no such image `nosuch`' ferry tag nosuch ferry-it/x
expect_fail 1 'ferry: error: no such image `ferry-it/app:9`' ferry tag ferry-it/app:9 ferry-it/x
expect_fail 1 'ferry: error: no such image `0123abc`' ferry tag 0123abc ferry-it/x
expect_fail 125 'ferry: error: `ferry tag` requires exactly 2 arguments (see `ferry tag --help`)' ferry tag busybox
expect_fail 125 'ferry: error: `ferry tag` requires exactly 2 arguments (see `ferry tag --help`)' ferry tag a b c

note "rmi: a name of an image with other names only untags it"
expect_out "Untagged: ferry-it/copy:latest" ferry rmi ferry-it/copy
expect_out "Untagged: ferry-it/by-id:1
Untagged: ferry-it/by-id:2" ferry rmi ferry-it/by-id:1 docker.io/ferry-it/by-id:2
expect_out "Untagged: by-sha:latest
Untagged: ferry-it/long:1
Untagged: ferry-it/by-prefix:latest" ferry image rm by-sha ferry-it/long:1 ferry-it/by-prefix

note "rmi: by ID, an image whose names are in several repositories needs -f"
expect_fail 1 "ferry: error: conflict: unable to delete $B (must be forced) - image is referenced in multiple repositories" \
    ferry rmi "$B"
expect_fail 1 "ferry: error: conflict: unable to delete $A (must be forced) - image is referenced in multiple repositories" \
    ferry rmi "sha256:${A:0:6}"

note "rmi: ambiguous prefix, missing image (the others on the line are still removed)"
# Import tiny images until two IDs share their first hex digit (at most 17 by pigeonhole).
printf 'x\n' >x.txt && tar -cf x.tar x.txt
declare -A first
ambiguous=""
for i in $(seq 17); do
    id=$(ferry import -q --change "LABEL n=$i" x.tar)
    d=${id:7:1}
    if [ -n "${first[$d]:-}" ]; then ambiguous=$d; break; fi
    first[$d]=$id
done
[ -n "$ambiguous" ] || fail "17 image IDs without a shared first digit"
expect_fail 1 "ferry: error: image ID prefix \`$ambiguous\` is ambiguous" ferry rmi "$ambiguous"
expect_fail 125 "ferry: error: image ID prefix \`sha256:$ambiguous\` is ambiguous" ferry tag "sha256:$ambiguous" x
expect_fail 1 "ferry: error: image ID prefix \`$ambiguous\` is ambiguous" ferry image inspect "$ambiguous"
expect_fail 125 "ferry: error: image ID prefix \`$ambiguous\` is ambiguous" ferry save -o never.tar "$ambiguous"
[ ! -e never.tar ] || fail "a failed save left never.tar"
ferry images -q --no-trunc -f dangling=true | grep -v "$id_C" | xargs "$FERRY" rmi >/dev/null
status=0
ferry rmi nosuch ferry-it/c:1 "sha256:$(printf '0%.0s' $(seq 64))" >out 2>err || status=$?
expect_eq "$status" 1 "exit status of rmi with missing images"
expect_eq "$(cat out)" "Untagged: ferry-it/c:1" "rmi output with missing images"
expect_eq "$(cat err)" "ferry: error: no such image \`nosuch\`
ferry: error: no such image \`sha256:0000000000000000000000000000000000000000000000000000000000000000\`" \
    "rmi errors"
expect_fail 125 'ferry: error: `ferry rmi` requires at least 1 argument (see `ferry rmi --help`)' ferry rmi
expect_fail 1 'ferry: error: no such image `busybox@sha256:'"${id_A:7}"'`' ferry rmi "busybox@sha256:${id_A:7}"

note "rmi: the last name of an image deletes it; a layer another image uses stays"
expect_out "Untagged: ferry-it/app:1
Deleted: $id_A" ferry rmi ferry-it/app:1
[ -d "$FERRY_ROOT/layers/$chain_base" ] || fail "the base layer B still uses was deleted"

note "rmi -f by ID: every name goes, then the image and the layers no image needs, top first"
expect_out "Untagged: ferry-it/app:2
Untagged: localhost:5000/tools/x:v1
Untagged: busybox:latest
Deleted: $id_B
Deleted: sha256:$chain_b
Deleted: sha256:$chain_base" ferry rmi -f "$B"
note "rmi of a dangling image by ID prefix"
expect_out "Deleted: $id_C
Deleted: sha256:$chain_c" ferry rmi "${C:0:7}"
expect_out "" ferry images -q
expect_out "" store_garbage

note "rmi by ID of an image with two tags of one repository needs -f too (docker 20.10: isSingleReference allows one tag)"
ferry load -q -i listing.tar >/dev/null
ferry rmi ferry-it/app:1 >/dev/null
ferry tag busybox busybox:other
expect_fail 1 "ferry: error: conflict: unable to delete $A (must be forced) - image is referenced in multiple repositories" \
    ferry rmi "$A"
expect_out "Untagged: busybox:latest
Untagged: busybox:other
Deleted: $id_A" ferry rmi -f "$A"
note "rmi by name: the last name takes the image and its layers"
expect_out "Untagged: ferry-it/app:2" ferry rmi ferry-it/app:2
expect_out "Untagged: localhost:5000/tools/x:v1
Deleted: $id_B
Deleted: sha256:$chain_b
Deleted: sha256:$chain_base" ferry rmi localhost:5000/tools/x:v1
ferry rmi "$C" >/dev/null
expect_out "" store_garbage
