# `ferry import`: a file, stdin (`-`), gzip and zstd input, every --change instruction, -m,
# --platform, the image ID printed, bad input with its exact message (the store unchanged); and,
# when a docker daemon runs here (started for the test if needed, as root), the same config as
# `docker import` writes for the same tar and changes (only `created` and docker_version differ).

busybox_rootfs rootfs
mkdir -p rootfs/home/user && printf 'mine\n' >rootfs/home/user/notes && chown -R 1000:1000 rootfs/home/user
tar -C rootfs -cf rootfs.tar .
gzip -c rootfs.tar >rootfs.tar.gz
zstd -q -c rootfs.tar >rootfs.tar.zst
diff_id="sha256:$(sha256sum <rootfs.tar | cut -c1-64)"
# config ID: the config blob as stored (the image ID is its digest).
config() { cat "$FERRY_ROOT/blobs/sha256/${1#sha256:}"; }
# config_without_created ID: the config as sorted JSON, `created` fields removed.
config_without_created() {
    config "$1" | python3 -c '
import json, sys
doc = json.load(sys.stdin)
doc.pop("created")
doc.pop("docker_version", None)
for h in doc.get("history", []):
    h.pop("created")
print(json.dumps(doc, sort_keys=True, separators=(",", ":")))'
}

note "import FILE REF prints the image ID; the layer is the tar itself (diff ID = its sha256)"
id=$(ferry import rootfs.tar ferry-it/imported:1)
[[ $id == sha256:[0-9a-f]* ]] && [ ${#id} = 71 ] || fail "import printed [$id]"
expect_out "$id" ferry images -q --no-trunc ferry-it/imported:1
expect_eq "sha256:$(config "$id" | sha256sum | cut -c1-64)" "$id" "image ID = digest of the config"
expect_eq "$(inspect_field "$id" RootFS.Layers)" "$diff_id" "diff ID of the imported layer"
expect_eq "$(inspect_field "$id" Comment)" "Imported from -" "default comment"
expect_eq "$(inspect_field "$id" Architecture)/$(inspect_field "$id" Os)" "amd64/linux" "platform"
expect_eq "$(inspect_field ferry-it/imported:1 RepoTags)" "ferry-it/imported:1" "name"
[[ $(inspect_field "$id" Metadata.LastTagTime) == 20* ]] || fail "import with a name sets LastTagTime"
layer=$(chain_dir_of "$diff_id")/diff
expect_eq "$(stat -c '%u:%g %a' "$layer/home/user/notes" "$layer/bin/busybox")" "1000:1000 644
0:0 755" "owners and modes in the imported layer"

note "import from stdin, gzip and zstd input: the same layer"
for input in rootfs.tar rootfs.tar.gz rootfs.tar.zst; do
    id2=$(ferry import -q - <"$input")
    expect_eq "$(inspect_field "$id2" RootFS.Layers)" "$diff_id" "diff ID importing $input from stdin"
    id3=$(ferry image import "$input")
    expect_eq "$(inspect_field "$id3" RootFS.Layers)" "$diff_id" "diff ID importing $input"
done
expect_eq "$(ls "$FERRY_ROOT/layers" | wc -l)" 1 "layers stored for seven imports of one tar"
expect_out "" ferry images -q ferry-it/none
[ "$(ferry images -q -f dangling=true | wc -l)" = 6 ] || fail "imports without a name are dangling"

note "every --change instruction, -m and --platform"
changes=(--change 'CMD ["sh","-c","echo hi"]' --change 'ENTRYPOINT /bin/sh'
         --change 'ENV A=1 B="two words"' --change 'ENV C 3' --change 'env A=4'
         --change 'EXPOSE 80 53/udp' --change 'LABEL a=b "c d"=e' --change 'ONBUILD RUN true'
         --change 'USER nobody' --change 'VOLUME ["/data","/x"]' --change 'VOLUME /y'
         --change 'WORKDIR /srv' --change 'WORKDIR sub' -m 'my message')
id=$(ferry import "${changes[@]}" -c 'STOPSIGNAL SIGKILL' -c '' --platform linux/arm64/v8 \
     rootfs.tar ferry-it/changed:1)
expected_config='{"architecture":"arm64","comment":"my message","config":{"AttachStderr":false,"AttachStdin":false,"AttachStdout":false,"Cmd":["sh","-c","echo hi"],"Domainname":"","Entrypoint":["/bin/sh","-c","/bin/sh"],"Env":["A=4","B=two words","C=3"],"ExposedPorts":{"53/udp":{},"80/tcp":{}},"Hostname":"","Image":"","Labels":{"a":"b","c d":"e"},"OnBuild":["RUN true"],"OpenStdin":false,"StdinOnce":false,"StopSignal":"SIGKILL","Tty":false,"User":"nobody","Volumes":{"/data":{},"/x":{},"/y":{}},"WorkingDir":"/srv/sub"},"container_config":{"AttachStderr":false,"AttachStdin":false,"AttachStdout":false,"Cmd":null,"Domainname":"","Entrypoint":null,"Env":null,"Hostname":"","Image":"","Labels":null,"OnBuild":null,"OpenStdin":false,"StdinOnce":false,"Tty":false,"User":"","Volumes":null,"WorkingDir":""},"history":[{"comment":"my message"}],"os":"linux","rootfs":{"diff_ids":["'"$diff_id"'"],"type":"layers"},"variant":"v8"}'
expect_out "$expected_config" config_without_created "$id"
created=$(config "$id" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["created"] == d["history"][0]["created"]; print(d["created"])')
[[ $created == 20[0-9][0-9]-[01][0-9]-[0-3][0-9]T*Z ]] || fail "created [$created]"
expect_out "$created" ferry image inspect -f '{{.Created}}' "$id"
expect_out "v8" ferry image inspect -f '{{.Variant}}' "$id"
expect_out "my message" ferry image inspect -f '{{.Comment}}' "$id"

note "bad input: one line, exit 125, the store as before"
before=$(tree_snapshot "$FERRY_ROOT")
valid='(valid: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR)'
expect_fail 125 "ferry: error: importing \`rootfs.tar\`: --change \`FROM scratch\`: FROM is not a valid change command $valid" \
    ferry import --change 'FROM scratch' rootfs.tar
expect_fail 125 "ferry: error: importing from stdin: --change \`HEALTHCHECK NONE\`: HEALTHCHECK is not a valid change command $valid" \
    ferry import -c 'HEALTHCHECK NONE' - </dev/null
expect_fail 125 'ferry: error: importing `rootfs.tar`: --change `ENV`: missing arguments' \
    ferry import --change ENV rootfs.tar
expect_fail 125 'ferry: error: importing `rootfs.tar`: --change `ENV FOO`: `FOO` needs a value' \
    ferry import --change 'ENV FOO' rootfs.tar
expect_fail 125 'ferry: error: importing `rootfs.tar`: --change `LABEL =x`: `=x` is not KEY=VALUE' \
    ferry import --change 'LABEL =x' rootfs.tar
expect_fail 125 'ferry: error: importing `rootfs.tar`: --change `ENV A="x`: unterminated quote' \
    ferry import --change 'ENV A="x' rootfs.tar
expect_fail 125 'ferry: error: importing `rootfs.tar`: --change `EXPOSE 80/xyz`: invalid port `80/xyz`' \
    ferry import --change 'EXPOSE 80/xyz' rootfs.tar
expect_fail 125 'ferry: error: importing `rootfs.tar`: invalid platform `arm64` (expected os/arch[/variant])' \
    ferry import --platform arm64 rootfs.tar
expect_fail 125 'ferry: error: importing `rootfs.tar`: invalid platform `linux/` (expected os/arch[/variant])' \
    ferry import --platform linux/ rootfs.tar
expect_fail 125 'ferry: error: importing `nosuch.tar`: open `nosuch.tar`: No such file or directory' \
    ferry import nosuch.tar
expect_fail 125 'ferry: error: importing from stdin: empty input' ferry import - </dev/null
: >empty.tar
expect_fail 125 'ferry: error: importing `empty.tar`: empty input' ferry import empty.tar
head -c 4096 /dev/urandom >random.bin
expect_fail_match 125 'ferry: error: importing `random.bin`: invalid tar header at offset 0: *' ferry import random.bin
head -c 20000 rootfs.tar.gz >cut.tar.gz
expect_fail 125 'ferry: error: importing `cut.tar.gz`: truncated gzip stream' ferry import cut.tar.gz
head -c 20000 rootfs.tar.zst >cut.tar.zst
expect_fail 125 'ferry: error: importing `cut.tar.zst`: truncated zstd stream' ferry import cut.tar.zst
head -c $((512 * 40 + 100)) rootfs.tar >cut.tar
expect_fail 125 'ferry: error: importing `cut.tar`: unexpected end of archive' ferry import cut.tar
expect_fail 125 "ferry: error: \`x@sha256:${diff_id:7}\`: cannot import to a digest reference" \
    ferry import rootfs.tar "x@sha256:${diff_id:7}"
expect_fail 125 'ferry: error: `Ferry-It/x`: invalid reference format: repository name must be lowercase' \
    ferry import rootfs.tar Ferry-It/x
expect_fail 125 'ferry: error: `ferry import` requires at least 1 argument (see `ferry import --help`)' ferry import
expect_fail 125 'ferry: error: `ferry import` requires at most 2 arguments (see `ferry import --help`)' \
    ferry import rootfs.tar a b
expect_eq "$(tree_snapshot "$FERRY_ROOT")" "$before" "store after failed imports"
expect_out "" store_garbage

# --- the same import in docker --------------------------------------------------------------
ref="ferry-it-import-$$:1"
cleanup() {
    "$DOCKER" rmi -f "$ref" >/dev/null 2>&1 || true
    docker_down
}
trap cleanup EXIT
docker_up || skip "$DOCKER_WHY: comparison with docker skipped (the checks of ferry above passed)"
note "docker import of the same tar with the same changes writes the same config"
# docker 20.10 refuses STOPSIGNAL in --change (newer ones accept it); ferry accepts it.
docker_id=$("$DOCKER" import "${changes[@]}" rootfs.tar "$ref")
mkdir docker-save && "$DOCKER" save "$ref" | tar -C docker-save -xf -
python3 - docker-save "$docker_id" <<'EOF' >docker-config.json
import json, sys
manifest = json.load(open(sys.argv[1] + "/manifest.json"))
sys.stdout.write(open(sys.argv[1] + "/" + manifest[0]["Config"]).read())
EOF
ferry_id=$(ferry import "${changes[@]}" rootfs.tar)
cp docker-config.json "$FERRY_ROOT/blobs/sha256/docker"  # for config_without_created
expect_eq "$(config_without_created docker)" "$(config_without_created "$ferry_id")" \
    "config of docker import vs ferry import"
rm "$FERRY_ROOT/blobs/sha256/docker"
expect_eq "$(inspect_field "$ferry_id" RootFS.Layers)" \
    "$("$DOCKER" image inspect -f '{{join .RootFS.Layers ","}}' "$ref")" "diff IDs of docker and ferry import"
