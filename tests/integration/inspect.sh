# `ferry image inspect`: docker's document shape and values, an image named by name, ID, ID
# prefix and `sha256:` prefix, several images at once, missing ones, `-f` templates; and, when a
# docker daemon runs here (started for the test if needed, as root), the same keys and values as
# `docker image inspect` of the same image, except where the storage differs (GraphDriver).

fixture make_listing_archive.py listing.tar >listing.ids
while read -r letter id _; do declare "id_$letter=$id"; done <listing.ids
ferry load -q -i listing.tar >/dev/null
A=${id_A:7:12}
base=$(inspect_field busybox RootFS.Layers)

note "the document of a loaded image, exactly (RepoTags sorted by full name, as docker)"
expected=$(cat <<EOF
[
    {
        "Id": "$id_A",
        "RepoTags": [
            "ferry-it/app:1",
            "busybox:latest"
        ],
        "RepoDigests": [],
        "Parent": "",
        "Comment": "",
        "Created": "2023-01-01T00:00:00Z",
        "Container": "",
        "ContainerConfig": {
            "Hostname": "",
            "Domainname": "",
            "User": "",
            "AttachStdin": false,
            "AttachStdout": false,
            "AttachStderr": false,
            "Tty": false,
            "OpenStdin": false,
            "StdinOnce": false,
            "Env": null,
            "Cmd": null,
            "Image": "",
            "Volumes": null,
            "WorkingDir": "",
            "Entrypoint": null,
            "OnBuild": null,
            "Labels": null
        },
        "DockerVersion": "",
        "Author": "",
        "Config": {
            "Hostname": "",
            "Domainname": "",
            "User": "",
            "AttachStdin": false,
            "AttachStdout": false,
            "AttachStderr": false,
            "Tty": false,
            "OpenStdin": false,
            "StdinOnce": false,
            "Env": [
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
            ],
            "Cmd": [
                "sh"
            ],
            "Image": "",
            "Volumes": null,
            "WorkingDir": "",
            "Entrypoint": null,
            "OnBuild": null,
            "Labels": null
        },
        "Architecture": "amd64",
        "Os": "linux",
        "Size": $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["size"])' "$(chain_dir_of "$base")/layer.json"),
        "VirtualSize": $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["size"])' "$(chain_dir_of "$base")/layer.json"),
        "GraphDriver": {
            "Data": {
                "LowerDir": "$(chain_dir_of "$base")/diff"
            },
            "Name": "overlay"
        },
        "RootFS": {
            "Type": "layers",
            "Layers": [
                "$base"
            ]
        },
        "Metadata": {
            "LastTagTime": "0001-01-01T00:00:00Z"
        }
    }
]
EOF
)
expect_out "$expected" ferry image inspect busybox
note "the same image by every kind of name"
for n in busybox:latest docker.io/library/busybox ferry-it/app:1 "$id_A" "${id_A:7}" "$A" "${A:0:4}" \
         "sha256:${A:0:4}"; do
    expect_out "$expected" ferry image inspect "$n"
done
[ "$(inspect_field busybox Size)" -gt 1000000 ] || fail "Size of the busybox image"

note "a layer stack: LowerDir lists the layers top first"
IFS=, read -r b0 b1 <<<"$(inspect_field ferry-it/app:2 RootFS.Layers)"
expect_eq "$b0" "$base" "B's base layer"
expect_out "$(chain_dir_of "$b0" "$b1")/diff:$(chain_dir_of "$b0")/diff" \
    ferry image inspect -f '{{.GraphDriver.Data.LowerDir}}' ferry-it/app:2

note "several images: one array; a missing one is reported after the others, exit 125"
ferry image inspect busybox ferry-it/app:2 "${id_C:7:5}" >all.json
expect_eq "$(python3 -c 'import json,sys; print(" ".join(d["Id"] for d in json.load(open(sys.argv[1]))))' all.json)" \
    "$id_A $id_B $id_C" "IDs of three inspected images"
status=0
ferry image inspect nosuch busybox ghost:1 >out 2>err || status=$?
expect_eq "$status" 1 "exit status with missing images"
expect_eq "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' out)" 1 \
    "documents printed when some images are missing"
expect_eq "$(cat err)" 'ferry: error: no such image `nosuch`
ferry: error: no such image `ghost:1`' "errors for missing images"
expect_fail 1 'ferry: error: no such image `nosuch`' ferry image inspect -f '{{.Id}}' nosuch
expect_eq "$(cat "$TEST_TMP/.out")" "" "stdout of a -f inspect of a missing image"

note "-f: Go template fields and json"
expect_out "$id_A" ferry image inspect -f '{{.Id}}' busybox
expect_out "$id_A
$id_B" ferry image inspect --format '{{.Id}}' busybox ferry-it/app:2
expect_out "[sh]" ferry image inspect -f '{{.Config.Cmd}}' busybox
expect_out '["sh"]' ferry image inspect -f '{{json .Config.Cmd}}' busybox
expect_out "[]" ferry image inspect -f '{{.Config.Entrypoint}}' busybox  # a nil slice, as docker
expect_out "[ferry-it/app:1 busybox:latest]" ferry image inspect -f '{{.RepoTags}}' busybox
expect_out "id=$A os=linux/amd64" ferry image inspect -f "id=$A os={{.Os}}/{{.Architecture}}" busybox
expect_out '{"Type":"layers","Layers":["'"$base"'"]}' ferry image inspect -f '{{json .RootFS}}' busybox
expect_out "ferry-it/app:1,busybox:latest," ferry image inspect -f '{{range .RepoTags}}{{.}},{{end}}' busybox
expect_fail 64 'ferry: error: template parsing error: template: :1: unclosed action' \
    ferry image inspect -f '{{.Id' busybox
expect_fail 125 'ferry: error: `ferry image inspect` requires at least 1 argument (see `ferry image inspect --help`)' \
    ferry image inspect

note "LastTagTime: zero after load (as docker), set by tag"
ferry tag busybox ferry-it/tagged:1
tagged=$(inspect_field ferry-it/tagged:1 Metadata.LastTagTime)
[[ $tagged == 20[0-9][0-9]-* ]] || fail "LastTagTime after tag: $tagged"

# --- the same image in docker -------------------------------------------------------------
prefix="ferry-it-inspect-$$"
cleanup() {
    "$DOCKER" rmi -f "$prefix/img:1" "$prefix/img:latest" "$prefix/other:1" >/dev/null 2>&1 || true
    docker_down
}
trap cleanup EXIT
docker_up || skip "$DOCKER_WHY: comparison with docker skipped (the checks of ferry above passed)"
note "docker and ferry load the same archive: same keys and values in image inspect"
python3 - "$FERRY_SRC/tests/fixtures" docker-cmp.tar "$prefix" <<'EOF'
import sys
sys.path.insert(0, sys.argv[1])
import imagelib
from imagelib import TarBuilder, Blob
tar = TarBuilder()
tar.file("opt/app.txt", b"app\n")
extra = {"Entrypoint": ["/bin/sh", "-c"], "WorkingDir": "/opt", "User": "nobody",
         "Labels": {"a": "b"}, "ExposedPorts": {"80/tcp": {}}, "Volumes": {"/data": {}},
         "StopSignal": "SIGTERM"}
image = imagelib.image_from_layers(
    [imagelib.busybox_layer(imagelib.find_busybox()), Blob(tar.close())],
    [sys.argv[3] + "/img:1", sys.argv[3] + "/img:latest", sys.argv[3] + "/other:1"],
    extra_config=extra)
with open(sys.argv[2], "wb") as f:
    imagelib.write_docker_archive(f, [image])
EOF
"$DOCKER" load -i docker-cmp.tar >/dev/null
ferry load -q -i docker-cmp.tar >/dev/null
"$DOCKER" image inspect "$prefix/img:1" >docker.json
ferry image inspect "$prefix/img:1" >ferry.json
python3 - docker.json ferry.json <<'EOF' || fail "ferry's image inspect differs from docker's (above)"
import json, sys
docker, ferry = (json.load(open(p))[0] for p in sys.argv[1:])
# Storage details differ by design: docker's overlay2 has its own directories (and an upper dir
# for the top layer); ferry names its layer directories.
for doc in (docker, ferry):
    doc["GraphDriver"].pop("Data")
    doc["GraphDriver"].pop("Name")
diffs = []
def walk(a, b, path):
    if isinstance(a, dict) and isinstance(b, dict):
        if list(a) != list(b):
            diffs.append(f"{path}: keys {list(a)} vs {list(b)}")
        for k in a.keys() & b.keys():
            walk(a[k], b[k], f"{path}.{k}")
    elif a != b:
        diffs.append(f"{path}: docker {a!r} vs ferry {b!r}")
walk(docker, ferry, "")
for d in diffs:
    print(d, file=sys.stderr)
sys.exit(1 if diffs else 0)
EOF
