// `ferry cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-` and `ferry cp [OPTIONS] SRC_PATH|-
// CONTAINER:DEST_PATH`: argument splitting as docker's client (splitCpArg), then
// runtime::copy_from_container / copy_to_container on the container's root. A copy that fails
// exits 1 with docker's words (`No such container:path: x:/p`), as docker's CLI does for every
// error of cp past its flags.

#include "ferry/cli/cp_cmd.hpp"

#include <cerrno>

#include "ferry/runtime/container_copy.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

namespace {

// docker's splitCpArg: {container, path}; container is empty for a host path.
std::pair<std::string, std::string> split_cp_arg(const std::string& arg) {
    if (arg.starts_with("/")) return {"", arg};
    auto colon = arg.find(':');
    if (colon == std::string::npos || arg.starts_with(".")) return {"", arg};
    return {arg.substr(0, colon), arg.substr(colon + 1)};
}

}  // namespace

Result<CpOptions> parse_cp(Args args) {
    CpOptions o;
    FlagSet flags("ferry cp",
                  "[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n"
                  "\tferry cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH",
                  "Copy files/folders between a container and the local filesystem");
    flags.set_aliases("ferry container cp, ferry cp");
    flags.set_details(
        "Use '-' as the source to read a tar archive from stdin and extract it to a directory\n"
        "destination in a container. Use '-' as the destination to stream a tar archive of a\n"
        "container source to stdout. Files copied into a container keep the owners they have on\n"
        "the host (as docker's do when the container has no USER); files copied out belong to\n"
        "the user running ferry. A stopped container is copied to or from by mounting its file\n"
        "system privately, which needs root; its volumes are not included then.");
    flags.add_bool('a', "archive", &o.archive, "Archive mode (copy all uid/gid information)");
    flags.add_bool('L', "follow-link", &o.follow_link, "Always follow symbol link in SRC_PATH");
    flags.add_bool('q', "quiet", &o.quiet, "Suppress progress output during copy");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 2, 2));
    auto [src_container, src_path] = split_cp_arg(pos[0]);
    auto [dst_container, dst_path] = split_cp_arg(pos[1]);
    if (src_path.empty()) return fail_with_status("source can not be empty", 1);
    if (dst_path.empty()) return fail_with_status("destination can not be empty", 1);
    if (src_container.empty() && dst_container.empty())
        return fail_with_status("must specify at least one container source", 1);
    if (!src_container.empty() && !dst_container.empty())
        return fail_with_status("copying between containers is not supported", 1);
    o.to_container = !dst_container.empty();
    o.container = o.to_container ? dst_container : src_container;
    o.container_path = o.to_container ? dst_path : src_path;
    o.host_path = o.to_container ? src_path : dst_path;
    return o;
}

namespace {

Result<void> copy(const CpOptions& o, Context& ctx) {
    auto containers = TRY(runtime::ContainerStore::open(ctx));
    auto record = containers.find(o.container);
    if (!record && record.error().sys_errno == ENOENT) {
        // docker 20.10's client: the path it asked about, for a copy in the directory it
        // extracts into
        std::string path = o.container_path;
        if (o.to_container) {
            while (path.size() > 1 && path.back() == '/') path.pop_back();
            auto slash = path.rfind('/');
            path = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
        }
        return fail("No such container:path: " + o.container + ":" + path);
    }
    TRY(record);
    auto images = TRY(image::Store::open(ctx));
    auto root = TRY(runtime::ContainerRoot::open(containers, images, *record));
    runtime::CopyOptions options{o.follow_link, o.archive};
    if (o.to_container)
        return runtime::copy_to_container(root, o.container, o.host_path, o.container_path,
                                          options, 0);
    return runtime::copy_from_container(root, o.container, o.container_path, o.host_path,
                                        options, 1);
}

}  // namespace

Result<int> run_cp(const CpOptions& o, Context& ctx) {
    auto r = copy(o, ctx);
    if (!r) return fail_with_status(std::move(r.error().message), 1);
    return 0;
}

Result<int> cmd_cp(Args args, Context& ctx) {
    return dispatch(parse_cp, run_cp, args, ctx);
}

}  // namespace ferry::cli
