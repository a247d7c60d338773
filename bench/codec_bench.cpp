// codec_bench: measures the layer codec on a real tar.
//
//   codec_bench LAYER.tar WORKDIR
//
// Steps, each timed on its own (the tar is read once first so it is in the page cache):
//   parse      TarReader alone, visitor doing nothing
//   unpack     LayerUnpacker into WORKDIR/diff with the record in WORKDIR/record
//   unpack+sha the same with SHA-256 of the stream computed inline (as `ferry load` must)
//   save-file  regenerate_layer into WORKDIR/out.tar (copy_file_range)
//   save-pipe  regenerate_layer into a pipe drained by a thread (read/write path)
// and checks that out.tar has the input's SHA-256. WORKDIR must not exist; it is left in place
// for inspection (remove it yourself, and give ext4 a minute before the next run: it scans
// recently freed inodes when allocating, which slows a following unpack severalfold).

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "ferry/image/pack.hpp"
#include "ferry/image/tar_reader.hpp"
#include "ferry/image/unpack.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/sha256.hpp"

namespace {

using namespace ferry;
using Clock = std::chrono::steady_clock;

constexpr size_t k_chunk = size_t{1} << 20;

class NullVisitor : public image::TarVisitor {
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

// Feeds the whole file to reader, hashing it too when sha is given.
Result<void> feed_file(const std::string& path, image::TarReader& reader, Sha256* sha) {
    Fd fd = TRY(fs::open(path, O_RDONLY));
    auto buf = std::make_unique_for_overwrite<uint8_t[]>(k_chunk);
    for (;;) {
        ssize_t n = ::read(fd.get(), buf.get(), k_chunk);
        if (n < 0) return fail_errno("read `" + path + "`");
        if (n == 0) break;
        if (sha) sha->update(buf.get(), static_cast<size_t>(n));
        TRY(reader.feed({buf.get(), static_cast<size_t>(n)}));
    }
    return reader.finish();
}

double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

// CPU seconds (user, system) of this process, all threads.
std::pair<double, double> cpu_now() {
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    auto secs = [](timeval tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; };
    return {secs(ru.ru_utime), secs(ru.ru_stime)};
}

std::pair<double, double> g_cpu_start;

// Wall time since t, its throughput, and the CPU time used since the last report.
void report(const char* step, uint64_t bytes, double secs) {
    auto [user, sys] = cpu_now();
    std::printf("%-11s %8.3f s  %8.1f MB/s  (cpu: %.3f s user, %.3f s sys)\n", step, secs,
                static_cast<double>(bytes) / 1e6 / secs, user - g_cpu_start.first,
                sys - g_cpu_start.second);
}

// Starts a timed step.
Clock::time_point start() {
    g_cpu_start = cpu_now();
    return Clock::now();
}

// Creates work/diff, then flushes dirty pages so that each timed step starts without the
// previous one's writeback. Nothing is deleted before a timed step: ext4 scans recently freed
// inodes when it allocates new ones, which would slow the next unpack severalfold.
Result<void> prepare(const std::string& work) {
    TRY(fs::make_dirs(work + "/diff"));
    ::sync();
    return {};
}

Result<void> unpack_into(const std::string& tar, const std::string& work, bool hash,
                         image::UnpackStats& stats, std::string& digest) {
    Fd diff = TRY(fs::open(work + "/diff", O_RDONLY | O_DIRECTORY));
    Fd rec = TRY(fs::open(work + "/record", O_RDWR | O_CREAT | O_TRUNC, 0644));
    auto unpacker = TRY(image::LayerUnpacker::create(diff.get(), rec.get(), {}));
    image::TarReader reader(*unpacker);
    Sha256 sha;
    TRY(feed_file(tar, reader, hash ? &sha : nullptr));
    stats = TRY(unpacker->finish());
    if (hash) digest = sha.hex_digest();
    return {};
}

// The SHA-256 of a file, read in 1 MiB pieces (also brings it into the page cache).
Result<std::string> sha256_of(const std::string& path) {
    Fd fd = TRY(fs::open(path, O_RDONLY));
    Sha256 sha;
    auto buf = std::make_unique_for_overwrite<uint8_t[]>(k_chunk);
    for (;;) {
        ssize_t n = ::read(fd.get(), buf.get(), k_chunk);
        if (n < 0) return fail_errno("read `" + path + "`");
        if (n == 0) return sha.hex_digest();
        sha.update(buf.get(), static_cast<size_t>(n));
    }
}

// Regenerates into work/out.tar (a file sink: copy_file_range).
Result<void> bench_save_file(int diff, int rec, const std::string& work, uint64_t size) {
    Fd out = TRY(fs::open(work + "/out.tar", O_WRONLY | O_CREAT | O_TRUNC, 0644));
    image::FdSink sink(out.get());
    ::sync();
    auto t = start();
    TRY(image::regenerate_layer(diff, rec, sink));
    report("save-file", size, seconds_since(t));
    return {};
}

// Regenerates into a pipe that a second thread drains and hashes.
Result<std::string> bench_save_pipe(int diff, int rec, uint64_t size) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return fail_errno("pipe");
    Fd rd(p[0]), wr(p[1]);
    Sha256 piped;
    std::thread drain([&] {
        auto buf = std::make_unique_for_overwrite<uint8_t[]>(k_chunk);
        for (ssize_t n; (n = ::read(rd.get(), buf.get(), k_chunk)) > 0;)
            piped.update(buf.get(), static_cast<size_t>(n));
    });
    image::FdSink sink(wr.get());
    ::sync();
    auto t = start();
    auto r = image::regenerate_layer(diff, rec, sink);
    wr.reset();
    drain.join();
    TRY(r);
    report("save-pipe", size, seconds_since(t));
    return piped.hex_digest();
}

Result<int> run(const std::string& tar, const std::string& work) {
    if (fs::lexists(work)) return fail("`" + work + "` exists; give a new directory");
    struct stat st {};
    if (::stat(tar.c_str(), &st) != 0) return fail_errno("stat `" + tar + "`");
    auto size = static_cast<uint64_t>(st.st_size);
    std::string original = TRY(sha256_of(tar));
    std::printf("tar: %s, %.1f MB, sha256 %s\n", tar.c_str(), static_cast<double>(size) / 1e6,
                original.c_str());

    NullVisitor nv;
    image::TarReader parser(nv);
    auto t = start();
    TRY(feed_file(tar, parser, nullptr));
    report("parse", size, seconds_since(t));

    image::UnpackStats stats;
    std::string digest;
    TRY(prepare(work + "/first"));
    t = start();
    TRY(unpack_into(tar, work + "/first", false, stats, digest));
    report("unpack", size, seconds_since(t));
    TRY(prepare(work));
    t = start();
    TRY(unpack_into(tar, work, true, stats, digest));
    report("unpack+sha", size, seconds_since(t));
    struct stat rs {};
    ::stat((work + "/record").c_str(), &rs);
    std::printf("entries %llu, content %.1f MB, record %lld bytes (%.3f%% of the tar)\n",
                static_cast<unsigned long long>(stats.entries),
                static_cast<double>(stats.content_size) / 1e6, static_cast<long long>(rs.st_size),
                100.0 * static_cast<double>(rs.st_size) / static_cast<double>(size));

    Fd diff = TRY(fs::open(work + "/diff", O_RDONLY | O_DIRECTORY));
    Fd rec = TRY(fs::open(work + "/record", O_RDONLY));
    TRY(bench_save_file(diff.get(), rec.get(), work, size));
    std::string piped = TRY(bench_save_pipe(diff.get(), rec.get(), size));
    std::string saved = TRY(sha256_of(work + "/out.tar"));
    bool same = digest == original && piped == original && saved == original;
    std::printf("regenerated tars %s the original\n", same ? "match" : "DO NOT MATCH");
    return same ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: codec_bench LAYER.tar WORKDIR\n");
        return 2;
    }
    auto r = run(argv[1], argv[2]);
    if (!r) {
        std::fprintf(stderr, "codec_bench: error: %s\n", r.error().message.c_str());
        return 1;
    }
    return *r;
}
