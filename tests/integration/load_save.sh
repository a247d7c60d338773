# `ferry load` and `ferry save` as commands: -i and stdin, -o and stdout, which images and names
# a save takes (a tag, a bare repository, an ID, several), docker's load messages (a name moved
# from another image), the terminal refusals, and the errors of bad arguments. Formats and bad
# archives have their own tests (formats.sh, bad_input.sh).

fixture make_listing_archive.py listing.tar >listing.ids
while read -r letter id _; do declare "id_$letter=$id"; done <listing.ids
A=${id_A:7:12} B=${id_B:7:12} C=${id_C:7:12}
# saved ARCHIVE: `ID tags` per image in the archive, sorted.
saved() { archive_ids "$1" | cut -d' ' -f1,2 | sort; }

note "load from stdin and with -i; nothing on stderr when it is not a terminal"
expect_out "Loaded image: busybox:latest
Loaded image: ferry-it/app:1
Loaded image: ferry-it/app:2
Loaded image: localhost:5000/tools/x:v1
Loaded image ID: $id_C" ferry load <listing.tar
expect_out "Loaded image: busybox:latest
Loaded image: ferry-it/app:1
Loaded image: ferry-it/app:2
Loaded image: localhost:5000/tools/x:v1
Loaded image ID: $id_C" ferry image load -i listing.tar
expect_out "Loaded image: busybox:latest
Loaded image: ferry-it/app:1
Loaded image: ferry-it/app:2
Loaded image: localhost:5000/tools/x:v1
Loaded image ID: $id_C" ferry load --input=listing.tar
expect_eq "$(ferry images -q | wc -l)" 5 "rows after loading the same archive three times"

note "save: a tag, a bare repository (all its tags), an ID (no name), several at once"
ferry save -o one.tar busybox
expect_eq "$(saved one.tar)" "$id_A busybox:latest" "save busybox"
ferry save ferry-it/app >repo.tar
expect_eq "$(saved repo.tar)" "$(printf '%s\n' "$id_A ferry-it/app:1" "$id_B ferry-it/app:2" | sort)" "save of a bare repository without a latest tag"
ferry image save --output by-id.tar "$C"
expect_eq "$(saved by-id.tar)" "$id_C -" "save by ID"
expect_eq "$(tar -xOf by-id.tar manifest.json)" \
    "[{\"Config\":\"${id_C:7}.json\",\"RepoTags\":null,\"Layers\":[\"$(tar -tf by-id.tar | grep layer.tar)\"]}]" \
    "manifest.json of an image saved by ID"
ferry save -o several.tar busybox "sha256:${B:0:6}" ferry-it/app:1 localhost:5000/tools/x:v1 busybox
expect_eq "$(saved several.tar)" \
    "$(printf '%s\n' "$id_A busybox:latest,ferry-it/app:1" "$id_B localhost:5000/tools/x:v1" | sort)" "save of several names"
ferry save --format oci-archive -q -o oci.tar docker.io/library/busybox:latest "$id_C"
expect_eq "$(saved oci.tar)" "$(printf '%s\n' "$id_A docker.io/library/busybox:latest" "$id_C -" | sort)" "oci-archive of a name and an ID"
[ "$(ls | grep -c '\.tmp-')" = 0 ] || fail "save left temporary files: $(ls)"

note "load: a name taken from another image is reported as docker does"
ferry tag "$C" ferry-it/app:1
expect_out "The image ferry-it/app:1 already exists, renaming the old one with ID $id_C to empty string
Loaded image: busybox:latest
Loaded image: ferry-it/app:1
Loaded image: ferry-it/app:2
Loaded image: localhost:5000/tools/x:v1
Loaded image ID: $id_C" ferry load -i listing.tar
expect_out "$C" ferry images -q -f dangling=true

note "the saved archives load into an empty store with the same IDs and names"
for a in one repo by-id several oci; do
    FERRY_ROOT="$TEST_TMP/store-$a" "$FERRY" load -q -i "$a.tar" >/dev/null
    expect_eq "$(FERRY_ROOT="$TEST_TMP/store-$a" "$FERRY" images --no-trunc --format '{{.ID}} {{.Repository}}:{{.Tag}}' | sort)" \
        "$(saved "$a.tar" | python3 -c '
import sys
for line in sys.stdin:
    image, tags = line.split()
    for t in tags.split(","):
        t = "<none>:<none>" if t == "-" else t.replace("docker.io/library/", "")
        print(image, t)' | sort)" "images loaded from $a.tar"
done

note "terminals are refused"
command -v script >/dev/null || skip "script (util-linux) is needed for a terminal"
in_terminal() { script -qec "$*" /dev/null </dev/null | tr -d '\r'; }
expect_eq "$(in_terminal "$FERRY" load)" \
    "ferry: error: requested load from stdin, but stdin is a terminal (use -i FILE or a pipe)" "load from a terminal"
expect_eq "$(in_terminal "$FERRY" save busybox)" \
    "ferry: error: cowardly refusing to save to a terminal (use the -o flag or redirect)" "save to a terminal"
expect_eq "$(in_terminal "$FERRY" import -)" \
    "ferry: error: requested import from stdin, but stdin is a terminal" "import from a terminal"

note "bad arguments: one line, exit 125, no file left"
expect_fail 1 'ferry: error: loading `nosuch.tar`: open `nosuch.tar`: No such file or directory' \
    ferry load -i nosuch.tar
expect_fail 125 'ferry: error: loading from stdin: empty input' ferry load </dev/null
expect_fail 125 'ferry: error: `ferry load` requires exactly 0 arguments (see `ferry load --help`)' \
    ferry load listing.tar
expect_fail 1 'ferry: error: no such image `nosuch`' ferry save -o never.tar busybox nosuch
expect_fail 1 'ferry: error: no such image `ferry-it/app:9`' ferry save -o never.tar ferry-it/app:9
expect_fail 1 'ferry: error: no such image `ferry-it/none`' ferry save -o never.tar ferry-it/none
expect_fail 1 'ferry: error: no such image `Busybox`' ferry save -o never.tar Busybox
expect_fail 125 'ferry: error: unsupported --format `tar` (use `docker-archive` or `oci-archive`)' \
    ferry save --format tar -o never.tar busybox
expect_fail 125 'ferry: error: `ferry save` requires at least 1 argument (see `ferry save --help`)' \
    ferry save -o never.tar
expect_fail_match 125 'ferry: error: saving to `nodir/never.tar`: create `nodir/never.tar`: No such file or directory' \
    ferry save -o nodir/never.tar busybox
[ ! -e never.tar ] || fail "a failed save left never.tar"
echo keep >kept.tar
expect_fail 1 'ferry: error: no such image `nosuch`' ferry save -o kept.tar nosuch
expect_eq "$(cat kept.tar)" "keep" "a failed save does not touch an existing file"
[ "$(ls | grep -c '\.tmp-')" = 0 ] || fail "failed saves left temporary files: $(ls)"
