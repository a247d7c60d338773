#pragma once
// Test helpers: a fresh temporary directory per test, removed afterwards.

#include <gtest/gtest.h>

#include <string>

#include "ferry/util/fs.hpp"

namespace ferry::test {

// Creates a unique directory under $TMPDIR (or /tmp) and removes it on destruction.
class TempDir {
public:
    TempDir() {
        const char* base = std::getenv("TMPDIR");
        std::string tmpl = std::string(base && *base ? base : "/tmp") + "/ferry-test-XXXXXX";
        char* p = ::mkdtemp(tmpl.data());
        if (!p) ADD_FAILURE() << "mkdtemp failed";
        m_path = tmpl;
    }
    ~TempDir() { (void)fs::remove_tree(m_path); }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return m_path; }
    std::string operator/(const std::string& name) const { return m_path + "/" + name; }

private:
    std::string m_path;
};

}  // namespace ferry::test
