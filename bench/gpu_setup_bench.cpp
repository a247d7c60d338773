// gpu_setup_bench [RUNS]: the time GPU set-up adds to a container start, on a fake 8-GPU driver
// root (tests/gpu/make_fake_driver_root.sh) and a Debian-like image root with its own
// ld.so.cache. Each run does everything `ferry run --gpus all` does before the runtime applies
// the edits: discovery (/proc, /dev, the host's ld.so.cache), --gpus parsing and selection,
// requirement checks, forward-compatibility lookup, the edits, and the container's new
// ld.so.cache. Prints the median, the fastest and the slowest run, in microseconds.

#include <fcntl.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "ferry/gpu/setup.hpp"
#include "ferry/util/fs.hpp"

using namespace ferry;

namespace {

std::string quote(const std::string& s) {
    return "'" + s + "'";
}

int die(const std::string& what) {
    std::fprintf(stderr, "gpu_setup_bench: %s\n", what.c_str());
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    int runs = argc > 1 ? std::atoi(argv[1]) : 200;
    char tmpl[] = "/tmp/ferry-gpu-bench-XXXXXX";
    if (!::mkdtemp(tmpl)) return die("mkdtemp");
    std::string dir = tmpl, host_dir = dir + "/host", image_dir = dir + "/image";
    std::string setup =
        quote(std::string(FERRY_SOURCE_DIR) + "/tests/gpu/make_fake_driver_root.sh") + " " +
        quote(host_dir) + " 8 2>/dev/null && mkdir -p " + image_dir + "/usr/lib/x86_64-linux-gnu " +
        image_dir + "/etc && cp -L /lib/x86_64-linux-gnu/libc.so.6 " + image_dir +
        "/usr/lib/x86_64-linux-gnu/ && ldconfig -r " + image_dir;
    if (std::system(setup.c_str()) != 0) return die("building the fake roots failed");

    auto host = gpu::HostRoot::open(host_dir);
    auto rootfs = fs::open(image_dir, O_PATH | O_DIRECTORY);
    if (!host || !rootfs) return die("opening the roots failed");
    gpu::SetupRequest req;
    req.gpus = "all";
    req.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
               "NVIDIA_VISIBLE_DEVICES=all", "NVIDIA_DRIVER_CAPABILITIES=compute,utility",
               "NVIDIA_REQUIRE_CUDA=cuda>=12.0 brand=tesla,driver>=470,driver<471",
               "CUDA_VERSION=12.0.1"};
    gpu::DirRootfs view(rootfs->get());
    req.rootfs = &view;

    std::vector<double> us;
    size_t mounts = 0;
    for (int i = 0; i < runs + 5; ++i) {
        auto start = std::chrono::steady_clock::now();
        auto edits = gpu::gpu_setup(*host, req);
        auto end = std::chrono::steady_clock::now();
        if (!edits) return die(edits.error().message);
        mounts = edits->cdi.mounts.size();
        if (i >= 5) us.push_back(std::chrono::duration<double, std::micro>(end - start).count());
    }
    std::sort(us.begin(), us.end());
    std::printf(
        "gpu setup, 8 GPUs, %zu mounts: median %.0f us, min %.0f us, max %.0f us (%d runs)\n",
        mounts, us[us.size() / 2], us.front(), us.back(), runs);
    std::string cleanup = "rm -rf " + quote(dir);
    return std::system(cleanup.c_str()) == 0 ? 0 : 1;
}
