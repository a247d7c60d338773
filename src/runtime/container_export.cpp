// The stack is the container's upper directory over its image's layer directories, in overlay's
// order; each keeps the opaque xattr of whoever wrote it (the container's overlay, the store's
// unpacker). Owners are mapped back through the container's user namespace, as the container
// sees them.

#include "ferry/runtime/container_export.hpp"

#include <fcntl.h>

#include "ferry/image/merged_tree.hpp"
#include "ferry/image/tar_sink.hpp"
#include "ferry/runtime/container_commit.hpp"
#include "ferry/util/fs.hpp"

namespace ferry::runtime {

Result<void> export_container(const ContainerStore& containers, const image::Store& images,
                              const ContainerRecord& record, int out_fd) {
    oci::RuntimeSpec spec = TRY(containers.load_spec(record.id));
    image::DiffOptions diff = container_diff_options(spec);
    FileLock pin = TRY(images.pin_layers());
    std::vector<Fd> owned;
    std::vector<image::MergedLayer> stack;
    owned.push_back(TRY(fs::open(containers.dir(record.id) + "/upper", O_RDONLY | O_DIRECTORY)));
    stack.push_back({owned.back().get(), diff.opaque_xattr});
    auto layer_xattr =
        images.rootless() ? image::WhiteoutXattr::user : image::WhiteoutXattr::trusted;
    for (auto it = record.chain_ids.rbegin(); it != record.chain_ids.rend(); ++it) {
        auto fd = fs::open(images.layer_path(*it) + "/diff", O_RDONLY | O_DIRECTORY);
        if (!fd)
            return fail("layer " + *it + " of the container's image is missing from the store");
        owned.push_back(std::move(*fd));
        stack.push_back({owned.back().get(), layer_xattr});
    }
    image::FdSink sink(out_fd);
    image::TarWriter writer(sink);
    TRY(image::write_merged_tree(stack, writer, diff.owners));
    TRY(writer.finish());
    return {};
}

}  // namespace ferry::runtime
