// Each function follows its moby counterpart (pkg/archive/copy.go, Go's path/filepath), on Linux
// paths only, so ferry cp renames and places files exactly as docker cp does; the tests in
// copy_rules_test.cpp pin docker's documented cases.

#include "ferry/image/copy_rules.hpp"

#include <vector>

namespace ferry::image {

bool has_trailing_separator(std::string_view path) {
    return !path.empty() && path.back() == '/';
}

bool specifies_current_dir(std::string_view path) {
    return base_name(path) == ".";
}

bool asserts_directory(std::string_view path) {
    return has_trailing_separator(path) || specifies_current_dir(path);
}

std::string base_name(std::string_view path) {
    if (path.empty()) return ".";
    while (path.size() > 1 && path.back() == '/')
        path.remove_suffix(1);
    if (path == "/") return "/";
    size_t slash = path.rfind('/');
    return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

namespace {

std::string dir_name(const std::string& cleaned) {
    size_t slash = cleaned.rfind('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return cleaned.substr(0, slash);
}

}  // namespace

std::pair<std::string, std::string> split_dir_entry(std::string_view path) {
    std::string cleaned = clean_path(path);
    if (specifies_current_dir(path)) cleaned += cleaned == "/" ? "." : "/.";
    return {dir_name(cleaned), base_name(cleaned)};
}

std::pair<std::string, std::string> rebase_name(std::string_view path, std::string resolved) {
    if (specifies_current_dir(path) && !specifies_current_dir(resolved))
        resolved += has_trailing_separator(resolved) ? "." : "/.";
    if (has_trailing_separator(path) && !has_trailing_separator(resolved)) resolved += "/";
    std::string rebase;
    if (base_name(path) != base_name(resolved)) rebase = base_name(path);
    return {resolved, rebase};
}

Result<CopyPlan> prepare_archive_copy(const CopyInfo& src, const CopyInfo& dst) {
    auto [dst_dir, dst_base] = split_dir_entry(dst.path);
    auto [src_dir, src_base] = split_dir_entry(src.path);
    if (!src.rebase_name.empty()) src_base = src.rebase_name;
    if (dst.exists && dst.is_dir) return CopyPlan{dst.path, "", ""};
    if (dst.exists && src.is_dir) return fail("cannot copy directory");
    if (dst.exists || src.is_dir) return CopyPlan{dst_dir, src_base, dst_base};
    if (asserts_directory(dst.path)) return fail("no such directory");
    return CopyPlan{dst_dir, src_base, dst_base};
}

std::string rebase_entry(std::string_view name, std::string_view from, std::string_view to) {
    if (from.empty()) return std::string(name);
    if (name == from) return std::string(to);
    if (name.size() > from.size() && name.starts_with(from) && name[from.size()] == '/')
        return std::string(to) + std::string(name.substr(from.size()));
    return std::string(name);
}

}  // namespace ferry::image
