#pragma once
// What the codec tests (layer compression, archive-only codecs) share: sample data that
// compresses like a file system, feeding a decompressor in pieces, shell helpers for the tools
// that make reference streams.

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <string_view>

#include "ferry/image/compression.hpp"
#include "ferry/util/result.hpp"

namespace ferry::codec_test {

inline std::span<const uint8_t> bytes(std::string_view s) {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Runs a shell command and returns its standard output; fails the test on a non-zero status.
inline std::string run(const std::string& command) {
    std::string out;
    FILE* p = ::popen(command.c_str(), "r");
    if (!p) {
        ADD_FAILURE() << "popen " << command;
        return out;
    }
    char buf[65536];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
        out.append(buf, n);
    EXPECT_EQ(::pclose(p), 0) << command;
    return out;
}

inline bool have(const char* tool) {
    return std::system(("command -v " + std::string(tool) + " >/dev/null 2>&1").c_str()) == 0;
}

// Deterministic data that compresses like a file system: text runs and random bytes.
inline std::string sample_data(size_t size, uint32_t seed = 1) {
    std::mt19937 rng(seed);
    std::string out;
    out.reserve(size);
    static const std::string words[] = {"ferry ",         "layer ", "/usr/lib/x86_64-linux-gnu/ ",
                                        "libcudnn.so.8 ", "\n",     "0123456789 ",
                                        "\t{\"a\": 1}"};
    while (out.size() < size) {
        if (rng() % 4 == 0) {
            for (int i = 0; i < 64; ++i)
                out += static_cast<char>(rng());
        } else {
            out += words[rng() % std::size(words)];
        }
    }
    out.resize(size);
    return out;
}

// Feeds data to a new decompressor in pieces of `piece` bytes; what it wrote, or its error.
inline Result<std::string> feed_all(Result<std::unique_ptr<Decompressor>> made,
                                    std::string_view data, size_t piece) {
    auto d = TRY(std::move(made));
    std::string out;
    ByteSink sink = [&](std::span<const uint8_t> b) -> Result<void> {
        out.append(reinterpret_cast<const char*>(b.data()), b.size());
        return {};
    };
    for (size_t i = 0; i < data.size(); i += piece)
        TRY(d->feed(bytes(data.substr(i, piece)), sink));
    TRY(d->finish());
    return out;
}

inline std::string error_of(const Result<std::string>& r) {
    return r ? "(no error)" : r.error().message;
}

}  // namespace ferry::codec_test
