# The bad-input corpus of tests/fixtures/make_bad_archives.py (issue 2, points 6 and 7), loaded
# into a store that already holds an image:
#   error      exit 125, exactly one line `ferry: error: loading `FILE`: MESSAGE` with the
#              case's own message (asserted exactly, digests and member names included), and
#              the store's tree (listing with checksums) identical before and after;
#   escape     refused as an error, with its message, or confined (loaded, the entry inside the
#              layer); either way no ferry-escape-* file appears outside the layer directories;
#   ok         loads (absolute-name.tar: confined to the layer);
#   root-only  loads as root, the device node created (refused rootless: see rootless.sh).
# The million-entry case (`bounded`) is in bounded_memory.sh.

[ "$(id -u)" = 0 ] || skip "needs root (device-node.tar loads as root; owners)"
fixture make_bad_archives.py bad
ferry load -q -i bad/valid.tar >/dev/null

# expectations: one line per case, FILE<TAB>error<TAB>MESSAGE or FILE<TAB>confined<TAB>PATH (the
# escaping entry, where it must land inside the layer) or FILE<TAB>ok<TAB>. Digests and member
# names are read from the archives themselves, independently of ferry.
python3 - bad "$(uname -m)" >expected.tsv <<'PY'
import hashlib, io, json, sys, tarfile
corpus, machine = sys.argv[1], sys.argv[2]
arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(machine, machine)

def members(name):
    with tarfile.open(f"{corpus}/{name}") as t:
        return {m.name: t.extractfile(m).read() for m in t.getmembers() if m.isfile()}

def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()

def docker(name):
    """(manifest entry, members) of a docker-archive."""
    m = members(name)
    return json.loads(m["manifest.json"])[0], m

def oci(name):
    """(manifest digest, manifest, members) of an oci-archive's first image."""
    m = members(name)
    desc = json.loads(m["index.json"])["manifests"][0]
    manifest = json.loads(m["blobs/sha256/" + desc["digest"][7:]])
    return desc, manifest, m

def layer_of(name):
    return docker(name)[0]["Layers"][0]

out = {}
def error(name, message):
    out[name] = ("error", message)

for name in ("truncated-mid-layer.tar", "truncated-mid-header.tar", "oci-truncated-mid-layer.tar"):
    error(name, "unexpected end of archive")
error("truncated.tar.gz", "truncated gzip stream")
error("truncated.tar.zst", "truncated zstd stream")
error("corrupt.tar.gz", "corrupt gzip data: checksum mismatch")
error("corrupt.tar.zst", "corrupt zstd data: Restored data doesn't match checksum")
error("not-an-image.tar", "not an image archive (no manifest.json or index.json)")
error("empty.tar", "empty input")
error("random.bin", "invalid tar header at offset 0: checksum mismatch")

entry, m = docker("layer-digest-mismatch.tar")
diff_id = json.loads(m[entry["Config"]])["rootfs"]["diff_ids"][0]
error("layer-digest-mismatch.tar",
      f"layer {diff_id}: digest mismatch (got {sha(m[entry['Layers'][0]])})")
desc, manifest, m = oci("oci-blob-digest-mismatch.tar")
layer = manifest["layers"][0]["digest"]
error("oci-blob-digest-mismatch.tar",
      f"blob {layer}: digest mismatch (got {sha(m['blobs/sha256/' + layer[7:]])})")
desc, manifest, m = oci("oci-config-digest-mismatch.tar")
config = manifest["config"]["digest"]
error("oci-config-digest-mismatch.tar",
      f"config {config}: digest mismatch (got {sha(m['blobs/sha256/' + config[7:]])})")
error("missing-layer.tar", f"missing layer `{layer_of('missing-layer.tar')}`")
error("missing-config.tar", f"missing config `{docker('missing-config.tar')[0]['Config']}`")
desc, manifest, m = oci("oci-missing-blob.tar")
error("oci-missing-blob.tar",
      f"missing layer `blobs/sha256/{manifest['layers'][0]['digest'][7:]}`")
error("malformed-manifest.tar", "manifest.json: malformed JSON")
error("manifest-not-a-list.tar", "manifest.json: expected a JSON array")
error("oci-malformed-index.tar", "index: malformed JSON")
entry, m = docker("malformed-config.tar")
error("malformed-config.tar",
      f"config {sha(m[entry['Config']])}: image config: malformed JSON")
error("oversized-manifest.tar", "member `manifest.json`: too large (over 16 MiB)")
desc, manifest, m = oci("oci-unknown-media-type.tar")
error("oci-unknown-media-type.tar",
      f"manifest {desc['digest']}: unknown layer media type `application/vnd.example.unknown`")
desc, manifest, m = oci("oci-config-wrong-size.tar")
config = manifest["config"]
real = len(m["blobs/sha256/" + config["digest"][7:]])
error("oci-config-wrong-size.tar",
      f"config {config['digest']}: size mismatch (manifest says {config['size']}, got {real})")

error("duplicate-member.tar", "duplicate member `manifest.json`")
entry, m = docker("layer-count-mismatch.tar")
error("layer-count-mismatch.tar",
      f"image {sha(m[entry['Config']])}: config lists 2 layers but the manifest has 1")
desc, manifest, m = oci("oci-layer-wrong-size.tar")
layer = manifest["layers"][0]
real = len(m["blobs/sha256/" + layer["digest"][7:]])
error("oci-layer-wrong-size.tar",
      f"blob {layer['digest']}: size mismatch (manifest says {layer['size']}, got {real})")
error("layer-not-a-tar.tar", "layer `repositories`: not a tar, gzip or zstd stream")
error("bad-repo-tag.tar", "manifest.json: RepoTags entry `ferry-test/Bad:1`: invalid reference "
      "format: repository name must be lowercase")
error("oci-no-matching-platform.tar", f"index.json: no image for linux/{arch}")
error("oci-layout-version.tar", "oci-layout: unsupported imageLayoutVersion `2.0.0`")
error("oci-nested-too-deep.tar", "index.json: indexes nested too deeply")
m = members("oci-manifest-digest-mismatch.tar")
desc = json.loads(m["index.json"])["manifests"][0]
error("oci-manifest-digest-mismatch.tar",
      f"blob {desc['digest']}: digest mismatch (got {sha(m['blobs/sha256/' + desc['digest'][7:]])})")
m = members("oci-index-wrong-size.tar")
desc = json.loads(m["index.json"])["manifests"][0]
real = len(m["blobs/sha256/" + desc["digest"][7:]])
error("oci-index-wrong-size.tar",
      f"blob {desc['digest']}: size mismatch (index says {desc['size']}, got {real})")

def entry_error(name, entry_name, message):
    error(name, f"layer `{layer_of(name)}`: entry `{entry_name}`: {message}")
entry_error("unsupported-entry-type.tar", "volume-label", "unsupported entry type `V`")
entry_error("invalid-whiteout.tar", "d/.wh.", "invalid whiteout name")
entry_error("hardlink-missing-target.tar", "dangling",
            "hard link target `no/such/file` does not exist")
entry_error("escape-dotdot.tar", "../ferry-escape-dotdot", "path escapes the layer")
entry_error("escape-hardlink-outside.tar", "etc/ferry-escape-passwd",
            "hard link to `../../etc/passwd` escapes the layer")
entry_error("escape-hardlink-via-symlink.tar", "ferry-escape-shadow",
            "hard link target `hostroot/etc/shadow` does not exist")
entry_error("escape-parent-swap.tar", "a/ferry-escape-parent-swap",
            "open `a`: No such file or directory")
out["escape-symlink-root.tar"] = ("confined", "etc/ferry-escape-symlink-root")
out["escape-symlink-up.tar"] = ("confined", "ferry-escape-symlink-up")
out["absolute-name.tar"] = ("confined", "etc/ferry-absolute")
out["device-node.tar"] = ("confined", "dev/ferry-null")
out["valid.tar"] = ("ok", "")
out["oci-valid.tar"] = ("ok", "")
for name, (kind, value) in out.items():
    print(f"{name}\t{kind}\t{value}")
PY

# escapees: ferry-escape-* (and the absolute-name target) anywhere but inside layer directories:
# the scratch tree (store included), and the host's /, /etc and /tmp.
escapees() {
    {
        find "$TEST_TMP" \( -name 'ferry-escape-*' -o -name ferry-absolute \) \
            -not -path "$TEST_TMP/*/layers/*/diff/*"
        ls -d /ferry-escape-* /etc/ferry-escape-* /etc/ferry-absolute /tmp/ferry-escape-* 2>/dev/null || true
    } | sort
}
links() { stat -c '%n %h %i' /etc/passwd /etc/shadow; }
escapees_before=$(escapees)
links_before=$(links)

while IFS=$'\t' read -r file kind description; do
    [ "$kind" = bounded ] && continue
    want=$(awk -F'\t' -v f="$file" '$1 == f' expected.tsv)
    [ -n "$want" ] || fail "$file: no expected outcome in this test (add the case's message)"
    IFS=$'\t' read -r _ outcome value <<<"$want"
    note "$file ($kind): $description"
    case $outcome in
        error)
            [ "$kind" = error ] || [ "$kind" = escape ] || fail "$file: a $kind case expected to fail"
            before=$(tree_snapshot "$FERRY_ROOT")
            expect_fail 125 "ferry: error: loading \`bad/$file\`: $value" ferry load -q -i "bad/$file"
            expect_eq "$(cat "$TEST_TMP/.out")" "" "stdout of a failed load of $file"
            expect_eq "$(tree_snapshot "$FERRY_ROOT")" "$before" "store after loading $file"
            expect_out "" store_garbage
            ;;
        confined | ok)
            [ "$kind" != error ] || fail "$file: an error case expected to load"
            # Into a store of its own, so that the next case finds the first store as it was.
            (
                export FERRY_ROOT="$TEST_TMP/stores/$file"
                expect_out "Loaded image: ferry-test/bad:1" ferry load -q -i "bad/$file"
                if [ "$outcome" = confined ]; then
                    layer=$(chain_dir_of "$(inspect_field ferry-test/bad:1 RootFS.Layers)")/diff
                    [ -e "$layer/$value" ] || [ -L "$layer/$value" ] ||
                        fail "$file: $value is not in the layer: $(cd "$layer" && find . | sort)"
                fi
                expect_out "" store_garbage
            )
            ;;
        *) fail "$file: unknown outcome $outcome" ;;
    esac
done <bad/cases.tsv

note "nothing escaped: no ferry-escape-* outside the layers, /etc/passwd and /etc/shadow unlinked"
expect_eq "$(escapees)" "$escapees_before" "ferry-escape-* files outside layer directories"
expect_eq "$(links)" "$links_before" "link counts of /etc/passwd and /etc/shadow"

note "what the confined entries became"
export FERRY_ROOT="$TEST_TMP/stores/escape-symlink-root.tar"
layer=$(chain_dir_of "$(inspect_field ferry-test/bad:1 RootFS.Layers)")/diff
expect_eq "$(readlink "$layer/evil")" "/" "symlink evil in escape-symlink-root.tar"
expect_eq "$(cat "$layer/etc/ferry-escape-symlink-root")" "escaped" "the confined file"
export FERRY_ROOT="$TEST_TMP/stores/escape-symlink-up.tar"
layer=$(chain_dir_of "$(inspect_field ferry-test/bad:1 RootFS.Layers)")/diff
expect_eq "$(readlink "$layer/up")" "../../.." "symlink up in escape-symlink-up.tar"
expect_eq "$(cat "$layer/ferry-escape-symlink-up")" "escaped" "the confined file"
export FERRY_ROOT="$TEST_TMP/stores/device-node.tar"
layer=$(chain_dir_of "$(inspect_field ferry-test/bad:1 RootFS.Layers)")/diff
expect_eq "$(stat -c '%F %t:%T %a %u:%g' "$layer/dev/ferry-null")" "character special file 1:3 666 0:0" \
    "the device node of device-node.tar, as root"
