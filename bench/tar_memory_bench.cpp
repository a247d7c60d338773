// tar_memory_bench: the memory a streamed parse of a million-entry archive costs (moved here from
// tar_reader_test, where a memory bound made the test depend on the allocator and sanitizers).
//
//   tar_memory_bench [ENTRIES]      (default 1000000)
//
// TarWriter generates ENTRIES one-byte files (a PAX record every thousandth) straight into a
// TarReader; the resident set size (/proc/self/statm) is sampled every 50,000 entries. Prints
// the growth over the start and the target (under 64 MB); exits 1 only on a parse error.

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "ferry/image/tar_reader.hpp"
#include "ferry/image/tar_writer.hpp"
#include "ferry/util/fs.hpp"

namespace {

using namespace ferry;

class FeedingSink : public image::TarSink {
  public:
    explicit FeedingSink(image::TarReader& r) : m_reader(r) {}
    Result<void> write(std::span<const uint8_t> b) override { return m_reader.feed(b); }

  private:
    image::TarReader& m_reader;
};

class CountingVisitor : public image::TarVisitor {
  public:
    Result<void> on_raw(std::span<const uint8_t>) override { return {}; }
    Result<void> on_entry(const image::TarEntry&) override {
        ++entries;
        return {};
    }
    Result<void> on_data(std::span<const uint8_t>) override { return {}; }
    Result<void> on_entry_end() override { return {}; }
    uint64_t entries = 0;
};

long rss_kb() {
    auto statm = fs::read_file("/proc/self/statm");
    if (!statm) return 0;
    long pages = 0, resident = 0;
    std::sscanf(statm->c_str(), "%ld %ld", &pages, &resident);
    return resident * (::sysconf(_SC_PAGESIZE) / 1024);
}

}  // namespace

int main(int argc, char** argv) {
    const long n = argc > 1 ? std::atol(argv[1]) : 1'000'000;
    CountingVisitor v;
    image::TarReader reader(v);
    FeedingSink sink(reader);
    image::TarWriter w(sink);
    long before = rss_kb(), peak = before;
    image::TarEntry e;
    e.size = 1;
    e.mode = 0644;
    const uint8_t byte = 'x';
    for (long i = 0; i < n; ++i) {
        if (i % 50'000 == 0) peak = std::max(peak, rss_kb());
        e.path = "dir" + std::to_string(i % 1000) + "/file" + std::to_string(i);
        if (i % 1000 == 0) e.path += std::string(200, 'l');
        if (auto r = w.add_file(e, {&byte, 1}); !r) {
            std::fprintf(stderr, "tar_memory_bench: %s\n", r.error().message.c_str());
            return 1;
        }
    }
    if (!w.finish() || !reader.finish() || v.entries != static_cast<uint64_t>(n)) {
        std::fprintf(stderr, "tar_memory_bench: the parse failed\n");
        return 1;
    }
    long growth = std::max(peak, rss_kb()) - before;
    std::printf("streamed parse of %ld entries: RSS grew %ld kB (target: under 64 MB%s)\n", n,
                growth, growth < 64 * 1024 ? "" : ", MISSED");
    return 0;
}
