# ferry system prune: docker's confirmation (compared with docker's own, answered no), what each
# of -f, --volumes, -a and --filter removes and keeps (running containers and the images and
# layers containers use stay), docker's report and its errors.
source "$FERRY_SRC/tests/integration/container_lib.sh"

bb_image bb:1
docker_bb || true

BASE="WARNING! This will remove:
  - all stopped containers
  - all networks not used by at least one container"
# prompt_of FLAGS...: what `system prune FLAGS` prints when the answer is no.
prompt_of() { echo n | ferry system prune "$@"; }

note "the confirmation, answered no: docker's text, nothing removed"
ctr_create stopped1 bb:1
before=$(tree_snapshot "$FERRY_ROOT")
expect_out "$BASE
  - all dangling images
  - unused build cache

Are you sure you want to continue? [y/N] " prompt_of
expect_out "$BASE
  - all images without at least one container associated to them
  - all build cache

Are you sure you want to continue? [y/N] " prompt_of -a
expect_out "$BASE
  - all anonymous volumes not used by at least one container
  - all dangling images
  - unused build cache

Are you sure you want to continue? [y/N] " prompt_of --volumes
expect_out "$BASE
  - all dangling images
  - unused build cache

  Items to be pruned will be filtered with:
  - label!=keep
  - label=a=b
  - until=1h

Are you sure you want to continue? [y/N] " prompt_of --filter until=1h --filter label=a=b --filter 'label!=keep'
expect_eq "$(tree_snapshot "$FERRY_ROOT")" "$before" "the store after a no"
# The prompt is docker's client's; ferry's volume pruning is docker 23+'s (anonymous volumes),
# so the comparison is with a client of 23 or later (answered no, it removes nothing).
client=""
for c in "$DOCKER" /usr/local/bin/docker; do
    v=$("$c" version --format '{{.Client.Version}}' 2>/dev/null) || continue
    [ "${v%%.*}" -ge 23 ] 2>/dev/null && client=$c && break
done
if [ -n "$DOCKER_BB" ] && [ -n "$client" ]; then
    for flags in "" "-a" "--volumes" "-a --volumes" "--filter until=1h --filter label=a=b --filter label!=keep"; do
        # shellcheck disable=SC2086
        expect_eq "$(echo n | "$client" system prune $flags)" "$(prompt_of $flags)" "docker's prompt [$flags]"
    done
else
    note "no docker client of 23 or later: the prompts are not compared"
fi

note "-f: stopped containers and dangling images go; running containers, named images, volumes stay"
ferry rm stopped1 >/dev/null
ctr_create s1 bb:1
ctr_create s2 bb:1
s1=$(ferry inspect -f '{{.Id}}' s1) s2=$(ferry inspect -f '{{.Id}}' s2)
ferry run -d --name up -v /anon bb:1 sleep 100 >/dev/null
ferry run --name withvol -v /anon2 -v named:/n bb:1 true
anon2=$(ferry inspect withvol | python3 -c 'import json,sys; print([m["Name"] for m in json.load(sys.stdin)[0]["Mounts"] if m["Name"] != "named"][0])')
dangling=$(ferry import -q "$TEST_TMP/bb.tar")
ferry import -q -c 'LABEL x=1' "$TEST_TMP/bb.tar" named:1 >/dev/null
withvol=$(ferry inspect -f '{{.Id}}' withvol)
ferry system prune -f >"$TEST_TMP/out"
# The reclaimed total counts the store's files that went (the image's config here).
expect_eq "$(sed '$d' "$TEST_TMP/out")" "Deleted Containers:
$s1
$s2
$withvol

Deleted Images:
deleted: $dangling"
[[ "$(tail -1 "$TEST_TMP/out")" =~ ^Total\ reclaimed\ space:\ [0-9.]+k?B$ ]] || fail "total: $(tail -1 "$TEST_TMP/out")"
expect_eq "$(ferry ps -a --format '{{.Names}}')" up
expect_eq "$(ferry images --format '{{.Repository}}:{{.Tag}}' | sort | tr '\n' ' ')" "bb:1 named:1 "
expect_eq "$(ferry volume ls -q | sort | grep -c .)" 3 "volumes stay without --volumes"

note "--volumes: anonymous volumes no container uses go (named ones and those in use stay)"
expect_eq "$(ferry system prune -f --volumes)" "Deleted Volumes:
$anon2

Total reclaimed space: 0B"
expect_eq "$(ferry volume ls -q | grep -c .)" 2

note "-a: every image no container uses; the running container's image and layers stay"
named=$(ferry image inspect -f '{{.Id}}' named:1)
ferry system prune -f -a >"$TEST_TMP/out"
expect_eq "$(sed '$d' "$TEST_TMP/out")" "Deleted Images:
untagged: named:1
deleted: $named"
expect_eq "$(ferry images --format '{{.Repository}}:{{.Tag}}')" "bb:1" "the image in use stays"
ferry stop -t 0 up >/dev/null
ferry start up >/dev/null
expect_eq "$(ctr_status up)" running "the container starts again: its layers are there"
expect_eq "$(store_garbage)" "" "nothing unreferenced left"

note "--filter: label, label! and until select the stopped containers (and images) that go"
ferry create --name lab-yes -l prune=yes bb:1 >/dev/null
ferry create --name lab-no -l prune=no bb:1 >/dev/null
ferry create --name lab-keep -l keep=1 bb:1 >/dev/null
yes=$(ferry inspect -f '{{.Id}}' lab-yes)
expect_eq "$(ferry system prune -f --filter label=prune=yes)" "Deleted Containers:
$yes

Total reclaimed space: 0B"
no=$(ferry inspect -f '{{.Id}}' lab-no)
expect_eq "$(ferry system prune -f --filter 'label!=keep')" "Deleted Containers:
$no

Total reclaimed space: 0B"
expect_eq "$(ferry system prune -f --filter until=1h)" "Total reclaimed space: 0B" "until: none is that old"
expect_eq "$(ferry ps -a --format '{{.Names}}' | sort | tr '\n' ' ')" "lab-keep up "

note "errors: docker's words, exit status 1 (125 for a malformed flag)"
expect_fail 1 'ferry: error: ERROR: The "until" filter is not supported with "--volumes"' \
    ferry system prune -f --volumes --filter until=1h
expect_fail 1 "ferry: error: Invalid filter 'foo'" ferry system prune -f --filter foo=1
expect_fail 125 'ferry: error: invalid argument "x" for "--filter" flag: bad format of filter (expected name=value) (see `ferry system prune --help`)' \
    ferry system prune --filter x
expect_fail 125 'ferry: error: `ferry system prune` requires exactly 0 arguments (see `ferry system prune --help`)' \
    ferry system prune x
ferry stop -t 0 up >/dev/null
