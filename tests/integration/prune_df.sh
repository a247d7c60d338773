# `ferry image prune` (the prompt answered n, y and not at all; -f; -a) and `ferry system df`
# (table, -v, --format). Sizes are computed here the way docker defines them: image sizes from
# the layers' content sizes (each shared layer once), reclaimed space from the disk blocks freed.

fixture make_listing_archive.py listing.tar >listing.ids
while read -r letter id _; do declare "id_$letter=$id"; done <listing.ids
ferry load -q -i listing.tar >/dev/null
A=${id_A:7:12} B=${id_B:7:12} C=${id_C:7:12}

# human BYTES [PRECISION]: docker's units.HumanSizeWithPrecision (decimal units, %.Ng).
human() {
    python3 -c '
import sys
size, precision = float(sys.argv[1]), int(sys.argv[2])
units = ["B", "kB", "MB", "GB", "TB"]
i = 0
while size >= 1000 and i < len(units) - 1:
    size /= 1000
    i += 1
print("%.*g%s" % (precision, size, units[i]))' "$1" "${2:-3}"
}
layer_size() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["size"])' "$1/layer.json"; }
layer_dirs() { ls -d "$FERRY_ROOT"/layers/*; }
all_size=0
for d in $(layer_dirs); do all_size=$((all_size + $(layer_size "$d"))); done
c_layer=$(inspect_field "$C" RootFS.Layers)
c_dir=$(chain_dir_of "$c_layer")
c_manifest=$(python3 -c '
import json, sys
print([i["manifest"] for i in json.load(open(sys.argv[1]))["images"] if i["id"] == sys.argv[2]][0])' \
    "$FERRY_ROOT/images.json" "$id_C")
c_disk=$(du -scB1 "$c_dir" "$FERRY_ROOT/blobs/sha256/${id_C#sha256:}" \
             "$FERRY_ROOT/blobs/sha256/${c_manifest#sha256:}" | tail -1 | cut -f1)

note "system df: every layer counted once, all of it reclaimable (no containers yet)"
df_row() { printf '%-10s%-10s%-10s%-10s%s\n' "$@"; }
size4=$(human "$all_size" 4)
df_table=$(df_row TYPE TOTAL ACTIVE SIZE RECLAIMABLE
           df_row Images 3 0 "$size4" "$size4 (100%)")
expect_out "$df_table" ferry system df
usage_row() { printf '%-15s%-10s%-15s%s\n' "$@"; }
expect_out "$df_table

Images space usage:

$(usage_row REPOSITORY TAG "IMAGE ID" SIZE
  usage_row busybox latest "$A" "$(human "$(inspect_field "$A" Size)")"
  usage_row ferry-it/app 2 "$B" "$(human "$(inspect_field "$B" Size)")"
  usage_row "<none>" "<none>" "$C" "$(human "$(inspect_field "$C" Size)")")" ferry system df -v
expect_out "{\"Active\":\"0\",\"Reclaimable\":\"$size4 (100%)\",\"Size\":\"$size4\",\"TotalCount\":\"3\",\"Type\":\"Images\"}" \
    ferry system df --format json
expect_out "Images: 3 images, $size4" ferry system df --format '{{.Type}}: {{.TotalCount}} images, {{.Size}}'
expect_fail 125 'ferry: error: `ferry system df` requires exactly 0 arguments (see `ferry system df --help`)' \
    ferry system df extra
expect_fail 1 'ferry: error: template parsing error: template: :1:2: executing "" at <.Nope>: can'"'"'t evaluate field Nope in type *formatter.diskUsageImagesContext' \
    ferry system df --format '{{.Nope}}'

prompt="WARNING! This will remove all dangling images.
Are you sure you want to continue? [y/N] "
note "image prune: answered n (or nothing), nothing is removed"
snapshot=$(tree_snapshot "$FERRY_ROOT")
for answer in n N no "" yess; do
    expect_out "$prompt" bash -c "printf '%s\n' '$answer' | \"\$FERRY\" image prune"
done
expect_out "$prompt" bash -c '"$FERRY" image prune </dev/null'
expect_eq "$(tree_snapshot "$FERRY_ROOT")" "$snapshot" "store after prune answered no"

note "image prune: answered y, the dangling image and its layer go"
expect_out "${prompt}Deleted Images:
deleted: $id_C
deleted: sha256:${c_layer#sha256:}

Total reclaimed space: $(human "$c_disk")" bash -c 'echo y | "$FERRY" image prune'
expect_out "" ferry images -q -f dangling=true
expect_out "" store_garbage

note "image prune -f: nothing left to prune"
expect_out "Total reclaimed space: 0B" ferry image prune -f
expect_out "Total reclaimed space: 0B" ferry image prune --force

note "image prune -a: answered Y, every image no container uses goes, with its layers"
expect_fail 125 'ferry: error: `ferry image prune` requires exactly 0 arguments (see `ferry image prune --help`)' \
    ferry image prune -f extra
b_layers=$(inspect_field "$B" RootFS.Layers)
all_disk=$(du -scB1 "$FERRY_ROOT"/layers/* "$FERRY_ROOT"/blobs/sha256/* | tail -1 | cut -f1)
deleted_layers=$(for d in $(layer_dirs); do echo "deleted: sha256:$(basename "$d")"; done | sort)
expect_out "WARNING! This will remove all images without at least one container associated to them.
Are you sure you want to continue? [y/N] Deleted Images:
untagged: busybox:latest
untagged: ferry-it/app:1
deleted: $id_A
untagged: ferry-it/app:2
untagged: localhost:5000/tools/x:v1
deleted: $id_B
$deleted_layers

Total reclaimed space: $(human "$all_disk")" bash -c 'echo Y | "$FERRY" image prune -a'
[ "$(echo "$deleted_layers" | wc -l)" = 2 ] || fail "expected B's two layers, got: $deleted_layers ($b_layers)"
expect_out "" ferry images -q
expect_out "" store_garbage
expect_out "$(df_row TYPE TOTAL ACTIVE SIZE RECLAIMABLE
              df_row Images 0 0 0B 0B)" ferry system df
