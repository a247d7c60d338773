// See side_sources.hpp.

#include "ferry/build/side_sources.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ferry/build/source_common.hpp"
#include "ferry/util/fd.hpp"
#include "ferry/util/fs.hpp"

namespace ferry::build {

bool is_url_source(std::string_view source) {
    return source.starts_with("http://") || source.starts_with("https://");
}

bool is_git_source(std::string_view source) {
    if (source.starts_with("git@") || source.starts_with("git://")) return true;
    if (!is_url_source(source)) return false;
    std::string_view path = source.substr(0, source.find_first_of("?#"));
    return path.ends_with(".git");
}

std::string url_file_name(std::string_view url) {
    // The path: after scheme://host, before ?query and #fragment.
    size_t scheme = url.find("://");
    std::string_view rest = scheme == std::string_view::npos ? url : url.substr(scheme + 3);
    rest = rest.substr(0, rest.find_first_of("?#"));
    size_t slash = rest.find('/');
    std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
    while (path.size() > 1 && path.ends_with('/'))
        path.remove_suffix(1);
    size_t last = path.rfind('/');
    std::string_view base = last == std::string_view::npos ? path : path.substr(last + 1);
    if (base.empty() || base == "." || base == "..") return "__unnamed__";
    return std::string(base);
}

namespace {

// A directory "<index>" of the staging directory for one source.
Result<Fd> source_dir(int staging_fd, size_t index) {
    std::string name = std::to_string(index);
    if (::mkdirat(staging_fd, name.c_str(), 0700) != 0) return fail_errno("mkdir " + name);
    return fs::open_at(staging_fd, name, O_RDONLY | O_DIRECTORY);
}

Result<void> check_digest(int dir_fd, const std::string& name, const std::string& url,
                          const std::string& want) {
    Fd fd = TRY(fs::open_at(dir_fd, name, O_RDONLY));
    std::string got = "sha256:" + TRY(content_digest(fd.get(), name));
    if (got != want)
        return fail("digest mismatch for " + url + ": " + got + " (expected: " + want + ")");
    return {};
}

}  // namespace

Result<SideSources> gather_side_sources(image::Store& store, const std::vector<std::string>& urls,
                                        const std::vector<InlineFile>& docs,
                                        const Downloader& download, const std::string& checksum) {
    SideSources out;
    if (urls.empty() && docs.empty()) return out;
    out.staging = TRY(store.stage());
    size_t index = 0;
    std::vector<std::pair<bool, std::string>> written;  // (url?, dir/name)
    for (const auto& url : urls) {
        if (!download) return fail("ADD of a URL is not available here");
        Fd dir = TRY(source_dir(out.staging.fd(), index));
        std::string name = url_file_name(url);
        int64_t mtime = TRY_CTX("failed to load cache key", download(url, dir.get(), name));
        if (mtime != 0) {
            timespec times[2] = {fs::to_timespec(mtime), fs::to_timespec(mtime)};
            if (::utimensat(dir.get(), name.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0)
                return fail_errno("utimes " + name);
        }
        if (!checksum.empty()) TRY(check_digest(dir.get(), name, url, checksum));
        written.emplace_back(true, std::to_string(index++) + "/" + name);
    }
    for (const auto& doc : docs) {
        if (doc.name.empty() || doc.name.find('/') != std::string::npos || doc.name == "." ||
            doc.name == "..")
            return fail("invalid here-document name \"" + doc.name + "\"");
        Fd dir = TRY(source_dir(out.staging.fd(), index));
        Fd fd(::openat(dir.get(), doc.name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
        if (!fd) return fail_errno("create " + doc.name);
        TRY(fs::write_all(fd.get(), doc.data));
        if (::fchmod(fd.get(), 0644) != 0) return fail_errno("chmod " + doc.name);  // umask
        written.emplace_back(false, std::to_string(index++) + "/" + doc.name);
    }
    out.context = TRY(BuildContext::open(out.staging.path(), ""));
    for (const auto& [url, path] : written) {
        auto resolved = TRY(out.context->resolve(path));
        auto& into = url ? out.urls : out.docs;
        into.insert(into.end(), resolved.begin(), resolved.end());
    }
    return out;
}

}  // namespace ferry::build
