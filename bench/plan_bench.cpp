// plan_bench: how long plan_container takes (it runs on every `ferry run`; target: well under a
// millisecond). Moved here from container_plan_test, where a time bound made the test depend on
// the machine's load.
//
//   plan_bench [RUNS]      (default 50)
//
// Plans a container of a two-layer image with a user, a volume, a working directory and labels
// (the fixture of container_plan_test) RUNS times after a first plan, which also builds docker's
// seccomp profile; prints the first, median and minimum times and the target (5 ms for the
// median). Exits 1 only when a plan fails.

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "ferry/runtime/container_plan.hpp"
#include "ferry/util/atomic_file.hpp"
#include "ferry/util/fs.hpp"

namespace {

using namespace ferry;
using Clock = std::chrono::steady_clock;

void put_file(const std::string& dir, const std::string& rel, const std::string& text) {
    std::string path = dir + "/" + rel;
    (void)fs::make_dirs(path.substr(0, path.rfind('/')), 0755);
    (void)write_file_atomic(path, text, 0644);
}

double us_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
    const int runs = argc > 1 ? std::atoi(argv[1]) : 50;
    char tmpl[] = "/tmp/ferry-plan-bench-XXXXXX";
    if (!::mkdtemp(tmpl)) return 1;
    const std::string tmp = tmpl, bottom = tmp + "/layers/bottom", top = tmp + "/layers/top";
    put_file(bottom, "etc/passwd",
             "root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000:Alice:/home/alice:/bin/sh\n");
    put_file(bottom, "etc/group", "root:x:0:\nalice:x:1000:\nwheel:x:10:alice\n");
    put_file(bottom, "home/alice/.profile", "");
    put_file(top, "etc/motd", "hi\n");
    const std::string id(64, 'b');
    runtime::PlanPaths paths{tmp + "/store", tmp + "/store/containers/" + id, tmp + "/run/" + id,
                             tmp + "/rootfs", "/usr/libexec/ferry/ferry-init", {top, bottom}};
    ImageConfig image;
    ContainerConfig c;
    c.user = "alice";
    c.env = std::vector<std::string>{"PATH=/usr/bin:/bin", "FOO=bar"};
    c.cmd = std::vector<std::string>{"id"};
    c.volumes = std::set<std::string>{"/data"};
    c.working_dir = "/home/alice";
    c.labels = std::map<std::string, std::string>{{"org.test", "1"}};
    image.config = c;
    runtime::RunOptions o;
    o.image = "plantest:1";
    o.env = {"A=1"};
    auto plan = [&] {
        return runtime::plan_container(id, o, image, "sha256:" + std::string(64, 'a'), paths, {});
    };
    auto t0 = Clock::now();
    auto first_plan = plan();
    double first = us_since(t0);
    if (!first_plan) {
        std::fprintf(stderr, "plan_bench: %s\n", first_plan.error().message.c_str());
        return 1;
    }
    std::vector<double> us;
    for (int i = 0; i < runs; ++i) {
        t0 = Clock::now();
        bool ok = plan().has_value();
        us.push_back(us_since(t0));
        if (!ok) return 1;
    }
    std::sort(us.begin(), us.end());
    double median = us[us.size() / 2];
    std::printf("plan_container: first %.0f us, then median %.0f us, min %.0f us (target: median "
                "under 5000 us%s)\n",
                first, median, us[0], median < 5000 ? "" : ", MISSED");
    (void)fs::remove_tree(tmp);
    return 0;
}
