# `ferry images` / `ferry image ls`: columns, -q, --digests, --no-trunc, --format (json, a
# template, a table template), filters, the REPOSITORY[:TAG] argument, `<none>` rows, and the
# error of every bad flag value. The images come from tests/fixtures/make_listing_archive.py:
# A (2023, busybox:latest and ferry-it/app:1), B (2022, ferry-it/app:2 and
# localhost:5000/tools/x:v1), C (2021, no name).

fixture make_listing_archive.py listing.tar >listing.ids
while read -r letter id created; do
    declare "id_$letter=$id" "created_$letter=$created"
done <listing.ids
short() { echo "${1:7:12}"; }
A=$(short "$id_A") B=$(short "$id_B") C=$(short "$id_C")
# docker's units.HumanDuration for these dates (years since creation).
ago() { echo "$(( ($(date +%s) - $1) / 3600 / 24 / 365 )) years ago"; }
ago_A=$(ago "$created_A") ago_B=$(ago "$created_B") ago_C=$(ago "$created_C")

note "load prints each name, and the ID of an image without one"
expect_out "Loaded image: busybox:latest
Loaded image: ferry-it/app:1
Loaded image: ferry-it/app:2
Loaded image: localhost:5000/tools/x:v1
Loaded image ID: $id_C" ferry load -q -i listing.tar

note "an empty store lists only the header"
expect_out "REPOSITORY   TAG       IMAGE ID   CREATED   SIZE" ferry --root "$TEST_TMP/empty" images

note "the default table: one row per name, newest first, docker's column layout"
# docker's tabwriter: cells padded to the widest plus 3, at least 10; the last column unpadded.
row() { printf '%-25s%-10s%-15s%-14s%s\n' "$@"; }
table=$(row REPOSITORY TAG "IMAGE ID" CREATED SIZE
        row busybox latest "$A" "$ago_A" 1.98MB
        row ferry-it/app 1 "$A" "$ago_A" 1.98MB
        row ferry-it/app 2 "$B" "$ago_B" 1.98MB
        row localhost:5000/tools/x v1 "$B" "$ago_B" 1.98MB
        row "<none>" "<none>" "$C" "$ago_C" 11B)
expect_out "$table" ferry images
expect_out "$table" ferry image ls
expect_out "$table" ferry image list
expect_out "$table" ferry images -a

note "-q: one ID per row; --no-trunc: full IDs"
expect_out "$A
$A
$B
$B
$C" ferry images -q
expect_out "$id_A
$id_A
$id_B
$id_B
$id_C" ferry images -q --no-trunc
wide() { printf '%-25s%-10s%-74s%-14s%s\n' "$@"; }
expect_out "$(wide REPOSITORY TAG "IMAGE ID" CREATED SIZE
              wide busybox latest "$id_A" "$ago_A" 1.98MB
              wide ferry-it/app 1 "$id_A" "$ago_A" 1.98MB
              wide ferry-it/app 2 "$id_B" "$ago_B" 1.98MB
              wide localhost:5000/tools/x v1 "$id_B" "$ago_B" 1.98MB
              wide "<none>" "<none>" "$id_C" "$ago_C" 11B)" ferry images --no-trunc

note "--digests adds a DIGEST column (<none> for images that came from archives)"
digests() { printf '%-25s%-10s%-10s%-15s%-14s%s\n' "$@"; }
expect_out "$(digests REPOSITORY TAG DIGEST "IMAGE ID" CREATED SIZE
              digests busybox latest "<none>" "$A" "$ago_A" 1.98MB
              digests ferry-it/app 1 "<none>" "$A" "$ago_A" 1.98MB
              digests ferry-it/app 2 "<none>" "$B" "$ago_B" 1.98MB
              digests localhost:5000/tools/x v1 "<none>" "$B" "$ago_B" 1.98MB
              digests "<none>" "<none>" "<none>" "$C" "$ago_C" 11B)" ferry images --digests

note "--format json: one object per row, keys sorted, docker's HTML escaping"
json_row() {  # ID REPOSITORY TAG CREATED_AT AGO SIZE VIRTUAL_SIZE
    printf '{"Containers":"N/A","CreatedAt":"%s","CreatedSince":"%s","Digest":"\\u003cnone\\u003e","ID":"%s","Repository":"%s","SharedSize":"N/A","Size":"%s","Tag":"%s","UniqueSize":"N/A","VirtualSize":"%s"}\n' \
        "$4" "$5" "$1" "$2" "$6" "$3" "$7"
}
expect_out "$(json_row "$A" busybox latest "2023-01-01 00:00:00 +0000 UTC" "$ago_A" 1.98MB 1.982MB
              json_row "$A" ferry-it/app 1 "2023-01-01 00:00:00 +0000 UTC" "$ago_A" 1.98MB 1.982MB
              json_row "$B" ferry-it/app 2 "2022-01-01 00:00:00 +0000 UTC" "$ago_B" 1.98MB 1.983MB
              json_row "$B" localhost:5000/tools/x v1 "2022-01-01 00:00:00 +0000 UTC" "$ago_B" 1.98MB 1.983MB
              json_row "$C" '\u003cnone\u003e' '\u003cnone\u003e' "2021-01-01 00:00:00 +0000 UTC" "$ago_C" 11B 11B)" \
    ferry images --format json
ferry images --format json | python3 -c '
import json, sys
rows = [json.loads(line) for line in sys.stdin]
assert [r["Repository"] for r in rows][-1] == "<none>", rows' || fail "--format json is not JSON lines"

note "--format with a template, and a table template"
expect_out "busybox:latest
ferry-it/app:1
ferry-it/app:2
localhost:5000/tools/x:v1
<none>:<none>" ferry images --format '{{.Repository}}:{{.Tag}}'
expect_out "IMAGE ID       SIZE
$A   1.98MB
$A   1.98MB
$B   1.98MB
$B   1.98MB
$C   11B" ferry images --format 'table {{.ID}}\t{{.Size}}'
expect_out "$table" ferry images --format table
expect_out "$id_C 2021-01-01 00:00:00 +0000 UTC" ferry images --no-trunc -f dangling=true \
    --format '{{.ID}} {{.CreatedAt}}'

note "filters: dangling=true|false, reference=PATTERN, combined"
narrow() { printf '%-13s%-10s%-15s%-14s%s\n' "$@"; }
expect_out "$(narrow REPOSITORY TAG "IMAGE ID" CREATED SIZE
              narrow "<none>" "<none>" "$C" "$ago_C" 11B)" ferry images -f dangling=true
expect_out "$C" ferry images -q --filter dangling=true
expect_out "$A
$A
$B
$B" ferry images -q --filter=dangling=false
expect_out "ferry-it/app:1
ferry-it/app:2" ferry images -f 'reference=ferry-it/*' --format '{{.Repository}}:{{.Tag}}'
expect_out "ferry-it/app:2" ferry images -f 'reference=ferry-it/*:2' --format '{{.Repository}}:{{.Tag}}'
expect_out "" ferry images -f 'reference=ferry-it/*' -f dangling=true -q
# Values of one filter are ORed, different filters ANDed; `*` does not cross `/`, as Go's
# path.Match; a pattern matches the short or the full name, with or without the tag.
fmt='{{.Repository}}:{{.Tag}}'
expect_out "busybox:latest
localhost:5000/tools/x:v1" ferry images -f reference=busybox -f 'reference=localhost:5000/*/*' --format "$fmt"
expect_out "busybox:latest" ferry images -f 'reference=*' --format "$fmt"
expect_out "ferry-it/app:1" ferry images -f 'reference=docker.io/ferry-it/app:1' --format "$fmt"
expect_out "ferry-it/app:1
ferry-it/app:2" ferry images 'ferry-it/*' --format "$fmt"
expect_out "ferry-it/app:1
ferry-it/app:2" ferry images 'ferry-it/app:1' -f 'reference=*/*:2' --format "$fmt"  # the argument is one more reference=
expect_out "" ferry images 'ferry*' -q

note "filters: before and since an image (by creation time), label"
expect_out "ferry-it/app:2
localhost:5000/tools/x:v1
<none>:<none>" ferry images -f before=ferry-it/app:1 --format "$fmt"
expect_out "busybox:latest
ferry-it/app:1" ferry images -f since=ferry-it/app:2 --format "$fmt"
expect_out "ferry-it/app:2
localhost:5000/tools/x:v1" ferry images -f since="$id_C" -f before=busybox --format "$fmt"
expect_out "" ferry images -f label=nosuch -q

note "REPOSITORY[:TAG] argument, normalised as docker (busybox = docker.io/library/busybox:latest)"
expect_out "$(narrow REPOSITORY TAG "IMAGE ID" CREATED SIZE
              narrow busybox latest "$A" "$ago_A" 1.98MB)" ferry images busybox
for r in busybox:latest docker.io/library/busybox docker.io/library/busybox:latest library/busybox \
         index.docker.io/library/busybox:latest; do
    expect_out "busybox:latest" ferry images "$r" --format '{{.Repository}}:{{.Tag}}'
done
expect_out "ferry-it/app:1
ferry-it/app:2" ferry images ferry-it/app --format '{{.Repository}}:{{.Tag}}'
expect_out "ferry-it/app:2" ferry images ferry-it/app:2 --format '{{.Repository}}:{{.Tag}}'
expect_out "ferry-it/app:2" ferry images docker.io/ferry-it/app:2 --format '{{.Repository}}:{{.Tag}}'
expect_out "localhost:5000/tools/x:v1" ferry images localhost:5000/tools/x --format '{{.Repository}}:{{.Tag}}'
expect_out "" ferry images ferry-it/app:3 -q
expect_out "" ferry images nosuch -q
expect_out "REPOSITORY   TAG       IMAGE ID   CREATED   SIZE" ferry images nosuch

note "bad input: one line, docker's words and exit status (1 for what its daemon refuses)"
expect_fail 1 "ferry: error: Invalid filter 'foo'" ferry images -f foo=bar
expect_fail 125 'ferry: error: invalid argument "dangling" for "-f, --filter" flag: bad format of filter (expected name=value) (see `ferry images --help`)' \
    ferry images -f dangling
expect_fail 1 "ferry: error: Invalid filter 'dangling=[maybe]'" ferry images --filter dangling=maybe
expect_fail 1 'ferry: error: syntax error in pattern' ferry images '['
expect_fail 1 'ferry: error: no such image `nosuch`' ferry images --filter before=nosuch
# A pattern, not a reference: one docker could not parse matches nothing.
expect_out "REPOSITORY   TAG       IMAGE ID   CREATED   SIZE" ferry images Busybox
expect_out "REPOSITORY   TAG       IMAGE ID   CREATED   SIZE" ferry images a:b:c
expect_fail 125 'ferry: error: `ferry images` requires at most 1 argument (see `ferry images --help`)' \
    ferry images a b
expect_fail 1 'ferry: error: template parsing error: template: :1:2: executing "" at <.Nope>: can'"'"'t evaluate field Nope in type *formatter.imageContext' \
    ferry images --format '{{.Nope}}'
expect_fail 1 'ferry: error: template parsing error: template: :1: unclosed action' ferry images --format '{{.ID'
expect_fail 1 'ferry: error: template parsing error: template: :1:2: executing "" at <.ID>: wrong number of args for ID: want 0 got 1' \
    ferry images --format '{{.ID "x"}}'
expect_fail 125 'ferry: error: flag needs an argument: --format (see `ferry images --help`)' ferry images --format
expect_fail 125 'ferry: error: unknown flag: --bogus (see `ferry images --help`)' ferry images --bogus
expect_fail 125 "ferry: error: unknown shorthand flag: 'z' in -qz (see \`ferry images --help\`)" ferry images -qz
expect_fail 125 'ferry: error: invalid argument "maybe" for "-q, --quiet" flag: strconv.ParseBool: parsing "maybe": invalid syntax (see `ferry images --help`)' \
    ferry images --quiet=maybe
