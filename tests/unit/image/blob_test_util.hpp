#pragma once
// A store holding one real layer, for the layer-blob and blob-cache tests: a tree of random,
// compressible and small files (several compression blocks in all) is tarred by GNU tar,
// unpacked into a staged layer with its tar-split record and installed as a base layer.

#include <fcntl.h>

#include <string>

#include "ferry/image/store.hpp"
#include "image_test_util.hpp"

namespace ferry::test {

struct StoredLayer {
    std::string chain;    // hex
    std::string diff_id;  // sha256:<hex>
    std::string tar;      // path of the original tar
};

inline Context store_context(const TempDir& dir) {
    Context ctx;
    ctx.root = dir / "store";
    return ctx;
}

// Builds the tree and tar under dir and installs the layer into store.
inline void make_stored_layer(const TempDir& dir, image::Store& store, StoredLayer& out) {
    std::string src = dir / "src";
    std::string cmd = "set -e; mkdir -p '" + src + "/etc' && cd '" + src +
                      "' && head -c 2500000 /dev/urandom > random.bin && "
                      "seq 1 700000 > numbers.txt && printf 'x' > etc/one && : > empty && "
                      "ln -s numbers.txt link && touch -d '2020-01-01' . etc random.bin "
                      "numbers.txt etc/one empty && tar -cf '" +
                      (dir / "layer.tar") + "' .";
    ASSERT_EQ(sh(cmd), 0) << cmd;
    out.tar = dir / "layer.tar";
    out.diff_id = "sha256:" + sha256_file(out.tar);
    out.chain = out.diff_id.substr(7);
    auto st = store.stage();
    ASSERT_TRUE(st) << st.error().message;
    std::string staged = st->path() + "/L0";
    auto stats = unpack_path(out.tar, staged + "/diff", staged + "/tar-split.zst");
    ASSERT_TRUE(stats) << stats.error().message;
    auto fd = fs::open(staged, O_RDONLY | O_DIRECTORY);
    ASSERT_TRUE(fd);
    image::LayerMeta meta{out.diff_id, "", stats->tar_size, stats->tar_size};
    ASSERT_TRUE(image::Store::write_layer_meta(fd->get(), meta));
    ASSERT_TRUE(store.install_layer(*st, "L0", out.chain));
}

}  // namespace ferry::test
