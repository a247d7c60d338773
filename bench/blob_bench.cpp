// blob_bench: compression throughput of produce_layer_blob (what push sends) on a real layer.
//
//   blob_bench LAYER.tar STOREDIR
//
// Unpacks LAYER.tar into a fresh store at STOREDIR (which must not exist; it is left for
// inspection), then produces the layer's gzip and zstd blobs with 1 compression thread and
// with one per core, discarding the bytes, and prints the time, the throughput in MB/s of
// uncompressed tar, the blob's size and whether serial and parallel gave the same digest.
// Each run is timed after one warm-up so the layer's files are in the page cache.

#include <fcntl.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "ferry/image/compression_parallel.hpp"
#include "ferry/image/layer_blob.hpp"
#include "ferry/image/unpack.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/sha256.hpp"

namespace {

using namespace ferry;
using Clock = std::chrono::steady_clock;

Result<std::string> install(image::Store& store, const std::string& tar_path) {
    auto staging = TRY(store.stage());
    std::string dir = staging.path() + "/L0";
    TRY(fs::make_dirs(dir + "/diff"));
    Fd tar = TRY(fs::open(tar_path, O_RDONLY));
    Fd diff = TRY(fs::open(dir + "/diff", O_RDONLY | O_DIRECTORY));
    Fd record = TRY(fs::open(dir + "/tar-split.zst", O_RDWR | O_CREAT | O_TRUNC, 0644));
    auto stats = TRY(image::unpack_layer(tar.get(), diff.get(), record.get(), store.unpack_options()));
    std::string text = TRY(fs::read_file(tar_path, size_t{64} << 30));
    std::string diff_id = "sha256:" + sha256_hex(text);
    Fd layer = TRY(fs::open(dir, O_RDONLY | O_DIRECTORY));
    TRY(image::Store::write_layer_meta(layer.get(), {diff_id, "", stats.content_size, stats.tar_size}));
    TRY(store.install_layer(staging, "L0", diff_id.substr(7)));
    return diff_id.substr(7);
}

Result<image::LayerBlob> timed(const image::Store& store, const std::string& chain, Compression c,
                               unsigned threads, double& seconds) {
    image::BlobSettings settings;
    settings.compression = c;
    settings.threads = threads;
    ByteSink discard = [](std::span<const uint8_t>) -> Result<void> { return {}; };
    TRY(image::produce_layer_blob(store, chain, settings, discard, nullptr));  // warm-up
    auto start = Clock::now();
    auto blob = TRY(image::produce_layer_blob(store, chain, settings, discard, nullptr));
    seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return blob;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: blob_bench LAYER.tar STOREDIR\n");
        return 2;
    }
    Context ctx;
    ctx.root = argv[2];
    auto store = image::Store::open(ctx);
    if (!store) {
        std::fprintf(stderr, "blob_bench: %s\n", store.error().message.c_str());
        return 1;
    }
    auto chain = install(*store, argv[1]);
    if (!chain) {
        std::fprintf(stderr, "blob_bench: %s\n", chain.error().message.c_str());
        return 1;
    }
    auto meta = store->layer_meta(*chain);
    double mb = static_cast<double>(meta->tar_size) / 1e6;
    unsigned cores = compression_threads(0);
    std::printf("layer: %.1f MB tar; %u cores\n", mb, std::thread::hardware_concurrency());
    std::printf("%-6s %8s %9s %9s %12s %s\n", "codec", "threads", "seconds", "MB/s", "blob MB",
                "same digest");
    for (Compression c : {Compression::gzip, Compression::zstd}) {
        std::string serial_digest;
        for (unsigned threads : {1u, cores}) {
            double s = 0;
            auto blob = timed(*store, *chain, c, threads, s);
            if (!blob) {
                std::fprintf(stderr, "blob_bench: %s\n", blob.error().message.c_str());
                return 1;
            }
            if (threads == 1) serial_digest = blob->digest;
            std::printf("%-6s %8u %9.2f %9.0f %12.1f %s\n",
                        std::string(compression_name(c)).c_str(), threads, s, mb / s,
                        static_cast<double>(blob->size) / 1e6,
                        threads == 1 ? "-" : (blob->digest == serial_digest ? "yes" : "NO"));
        }
    }
    return 0;
}
