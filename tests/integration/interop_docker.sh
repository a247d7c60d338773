# docker save -> ferry load -> ferry save -> docker load keeps every image ID and diff ID
# (issue 2, point 4), for: an image docker imported from a busybox tree; two images sharing a base
# layer under three tags; and an image whose layers use PAX and GNU long names, hard links, xattrs,
# setuid bits, a whiteout and an opaque directory (tests/fixtures/make_layer_variants.py; not the
# sparse-file variant, which docker 20.10 cannot save).
# Uses Debian's docker (/usr/bin/docker); starts dockerd when none answers and stops it after
# (lib.sh's docker_up).
# Standalone: FERRY=build/ferry tests/integration/run_one.sh tests/integration/interop_docker.sh

src=${FERRY_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
ids() { python3 "$src/tests/fixtures/archive_ids.py" "$@"; }

prefix="ferry-it-$$"
refs=("$prefix/import:1" "$prefix/multi-a:1" "$prefix/multi-a:latest" "$prefix/multi-b:1"
      "$prefix/features:1")
cleanup() {
    "$DOCKER" rmi -f "${refs[@]}" >/dev/null 2>&1 || true
    docker_down
}
trap cleanup EXIT
docker_up || skip "$DOCKER_WHY"

# docker_field REF FORMAT: `docker image inspect -f FORMAT REF`.
docker_field() { "$DOCKER" image inspect -f "$2" "$1"; }
# ferry_field REF KEY: a field of `ferry image inspect REF` (lists joined by commas).
ferry_field() {
    ferry image inspect "$1" | python3 -c '
import json, sys
value = json.load(sys.stdin)[0]
for part in sys.argv[1].split("."):
    value = value[part]
print(",".join(value) if isinstance(value, list) else value)' "$2"
}
docker_layers() { docker_field "$1" '{{join .RootFS.Layers ","}}'; }

note "put three kinds of image into docker"
busybox_rootfs rootfs
tar -C rootfs -c . | "$DOCKER" import --change 'CMD ["sh"]' - "$prefix/import:1" >/dev/null
python3 "$src/tests/fixtures/make_layer_variants.py" variants
"$DOCKER" load -i variants/multi.tar >/dev/null
"$DOCKER" load -i variants/features.tar >/dev/null
for pair in multi-a:1 multi-a:latest multi-b:1 features:1; do
    "$DOCKER" tag "ferry-test/$pair" "$prefix/$pair"
    "$DOCKER" rmi "ferry-test/$pair" >/dev/null
done
declare -A want_id want_layers
for r in "${refs[@]}"; do
    want_id[$r]=$(docker_field "$r" '{{.Id}}')
    want_layers[$r]=$(docker_layers "$r")
done
expect_eq "${want_id[$prefix/features:1]}" "$(cut -f2 <(grep '^features.tar' variants/variants.tsv))" \
    "docker's image ID for the fixture features.tar"

note "docker save -> ferry load"
"$DOCKER" save -o docker.tar "${refs[@]}"
ferry load -i docker.tar
for r in "${refs[@]}"; do
    expect_eq "$(ferry_field "$r" Id)" "${want_id[$r]}" "ferry's image ID of $r"
    expect_eq "$(ferry_field "$r" RootFS.Layers)" "${want_layers[$r]}" "ferry's diff IDs of $r"
done

note "ferry save -> docker load"
ferry save -o ferry.tar "${refs[@]}"
ids docker.tar ferry.tar >/dev/null || fail "ferry's archive holds other images or layers than docker's"
"$DOCKER" rmi -f "${refs[@]}" >/dev/null
"$DOCKER" load -i ferry.tar >/dev/null
for r in "${refs[@]}"; do
    expect_eq "$(docker_field "$r" '{{.Id}}')" "${want_id[$r]}" "docker's image ID of $r after the round trip"
    expect_eq "$(docker_layers "$r")" "${want_layers[$r]}" "docker's diff IDs of $r after the round trip"
done

note "the round-tripped image still runs in docker, whiteouts applied"
out=$("$DOCKER" run --rm --network none "$prefix/features:1" sh -c \
      'ls /features/opaque; test ! -e /features/remove-me.txt && echo gone')
expect_eq "$out" "new.txt
gone" "merged view in docker"
