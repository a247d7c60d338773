#pragma once
// Fake NVIDIA driver roots for the gpu tests, built by tests/gpu/make_fake_driver_root.sh (gcc,
// ldconfig, mknod when root). Roots that several tests share are built once per process.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <string>

#include "ferry/gpu/discovery.hpp"
#include "ferry/gpu/host_root.hpp"
#include "test_util.hpp"

namespace ferry::test {

// Single-quotes s for sh.
inline std::string sh_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// Runs the fake-root script into dir; env is prepended to the command (e.g.
// "FAKE_LDCACHE_FORMAT=old"). Returns "" on success, else the failure.
inline std::string build_fake_root(const std::string& dir, int ngpus,
                                   const std::string& version = "535.104.05",
                                   const std::string& env = "") {
    std::string cmd =
        env + " " +
        sh_quote(std::string(FERRY_SOURCE_DIR) + "/tests/gpu/make_fake_driver_root.sh") + " " +
        sh_quote(dir) + " " + std::to_string(ngpus) + " " + sh_quote(version) + " 2>" +
        sh_quote(dir + ".log");
    int rc = std::system(cmd.c_str());
    if (rc != 0) return "make_fake_driver_root.sh failed (" + std::to_string(rc) + ")";
    return "";
}

// Whether device nodes can be made (the script makes them only as root).
inline bool can_mknod() {
    return ::geteuid() == 0;
}

// A shared fake root with n GPUs (driver 535.104.05), built on first use.
class SharedFakeRoot {
  public:
    static const SharedFakeRoot& get(int ngpus) {
        static std::map<int, std::unique_ptr<SharedFakeRoot>> roots;
        auto& r = roots[ngpus];
        if (!r) r.reset(new SharedFakeRoot(ngpus));
        return *r;
    }
    const std::string& path() const { return m_path; }
    const std::string& error() const { return m_error; }
    gpu::HostRoot open() const {
        auto h = gpu::HostRoot::open(m_path);
        EXPECT_TRUE(h) << h.error().message;
        return std::move(*h);
    }

  private:
    explicit SharedFakeRoot(int ngpus) {
        m_path = m_dir / "root";
        m_error = build_fake_root(m_path, ngpus);
    }
    TempDir m_dir;
    std::string m_path, m_error;
};

#define FERRY_REQUIRE_FAKE_ROOT(root)                          \
    do {                                                       \
        if (!(root).error().empty()) FAIL() << (root).error(); \
    } while (0)

}  // namespace ferry::test
