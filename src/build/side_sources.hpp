#pragma once
// The sources of a COPY or ADD that are not in the build context: here-documents (`COPY <<EOF
// /dest`: a file named by the delimiter, mode 0644, as BuildKit's Mkfile) and ADD's http(s) URLs
// (downloaded, mode 0600, the server's Last-Modified as their time, as BuildKit's HTTP source).
// Each is written into a directory of its own under a staging directory, which is then read
// as a second build context: the copy, its checksum and ADD's unpacking need nothing else.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ferry/build/context.hpp"
#include "ferry/image/store.hpp"
#include "ferry/util/result.hpp"

namespace ferry::build {

// Downloads url into a new file `name` in dir_fd; returns Last-Modified in ns (0: none).
using Downloader =
    std::function<Result<int64_t>(const std::string& url, int dir_fd, const std::string& name)>;

// A here-document source, its content already expanded.
struct InlineFile {
    std::string name;
    std::string data;
};

struct SideSources {
    image::Staging staging;
    std::optional<BuildContext> context;  // the staging directory; empty when there are none
    std::vector<ResolvedSource> urls;     // in the order written
    std::vector<ResolvedSource> docs;
};

// Whether a COPY/ADD source is a URL (http:// or https://).
bool is_url_source(std::string_view source);
// Whether it names a git repository (git@..., git://..., or a URL ending in .git): BuildKit
// clones these for ADD.
bool is_git_source(std::string_view source);

// The file name BuildKit gives a URL's download: the last element of its path, or
// `__unnamed__` when there is none.
std::string url_file_name(std::string_view url);

// Writes urls (downloaded with download) and docs into a staging directory of store. checksum,
// when not empty, is ADD --checksum's digest that the one URL must have. Fails with the
// download's error, `digest mismatch for URL: sha256:got (expected: sha256:want)`, or `invalid
// here-document name "a/b"`.
Result<SideSources> gather_side_sources(image::Store& store, const std::vector<std::string>& urls,
                                        const std::vector<InlineFile>& docs,
                                        const Downloader& download, const std::string& checksum);

}  // namespace ferry::build
