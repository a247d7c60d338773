// See stage_builder.hpp: RUN steps and their mounts (cache, bind, secret, tmpfs).

#include "ferry/build/stage_builder.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "ferry/build/copy_from.hpp"
#include "ferry/build/path_match.hpp"
#include "ferry/image/copy_rules.hpp"
#include "ferry/util/sha256.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::build {

template <class Copy>
Result<std::string> StageBuilder::copy_for_mount(StepFiles& files, const ResolvedSource& source,
                                                 Copy copy) {
    std::string name = TRY(files.next(m_store));
    runtime::LayerView empty = TRY(runtime::LayerView::open({}));
    CopyRequest request;
    request.sources = {source};
    request.dest = "/m/";
    TRY(m_hooks.in_store([&]() -> Result<void> {
        if (::mkdirat(files.staging.fd(), name.c_str(), 0755) != 0)
            return fail_errno("mkdir " + name);
        Fd dir = TRY(fs::open_at(files.staging.fd(), name, O_RDONLY | O_DIRECTORY));
        files.trees.push_back(name);
        TRY(copy(empty, dir.get(), request));
        return {};
    }));
    std::string path = files.staging.path() + "/" + name + "/m";
    if (source.type != EntryType::dir) path += "/" + image::base_name(source.name);
    return path;
}

Result<void> StageBuilder::plan_mounts(const std::vector<Mount>& mounts, RunStep& step,
                                       std::string& op, StepFiles& files,
                                       std::vector<std::function<Result<void>()>>& make) {
    for (size_t mount = 0; mount < mounts.size(); ++mount) {
        const Mount& m = mounts[mount];
        runtime::MountRequest r;
        r.flag = runtime::MountRequest::Flag::mount;
        r.target = m.target.starts_with('/')
                       ? m.target
                       : clean_path(m_state.image.config->working_dir + "/" + m.target);
        if (m.type == "cache") {
            std::string id = m.id.empty() ? r.target : m.id;
            std::string dir = m_store.root() + "/build-cache/" + sha256_hex(id).substr(0, 32);
            // Owned by the container's ids: made in the store's user namespace.
            TRY(m_hooks.in_store([&]() -> Result<void> {
                std::string parent = m_store.root() + "/build-cache";
                if (::mkdir(parent.c_str(), 0700) != 0 && errno != EEXIST)
                    return fail_errno("mkdir " + parent);
                if (::mkdir(dir.c_str(), m.mode.value_or(0755)) == 0) {
                    if (::chown(dir.c_str(), m.uid.value_or(0), m.gid.value_or(0)) != 0)
                        return fail_errno("chown " + dir);
                } else if (errno != EEXIST) {
                    return fail_errno("mkdir " + dir);
                }
                return {};
            }));
            r.type = runtime::MountRequest::Type::bind;
            r.source = dir;
            r.readonly = m.read_only;
            op += "mount cache " + id + " " + r.target + "\n";
        } else if (m.type == "bind") {
            r.type = runtime::MountRequest::Type::bind;
            r.readonly = m.read_only;
            std::string source = m.source.empty() ? "/" : m.source;
            size_t at = step.mounts.size();
            if (!m.from.empty()) {
                // Another stage's or image's path: a copy, as the image's layers must not
                // be written through the mount. The stage's key or image ID stands for it.
                FromImage from = TRY(from_image(m.from, mount));
                op += "mount bind from " + from.chain + " " + source;
                make.push_back([this, &step, &files, at, source, id = from.id,
                                written = m.from]() -> Result<void> {
                    PinnedView view = TRY(view_of(id));
                    auto sources = TRY(resolve_in_image(view.view, source, written));
                    if (sources.size() != 1)
                        return fail("bind mount source " + source + ": not one path");
                    step.mounts[at].source = TRY(copy_for_mount(
                        files, sources[0], [&](auto& empty, int dir, const CopyRequest& req) {
                            return copy_from_image(view.view, empty, dir, req);
                        }));
                    return {};
                });
            } else {
                auto sources = TRY(m_context.resolve(source));
                if (sources.size() != 1)
                    return fail("bind mount source " + source + ": not one path");
                if (m.read_only) {
                    r.source = fs::absolute_path(m_context.dir() + "/" + sources[0].path);
                } else {  // writes go to a copy, dropped after the step (BuildKit's rw)
                    make.push_back([this, &step, &files, at, from = sources[0]]() -> Result<void> {
                        step.mounts[at].source = TRY(copy_for_mount(
                            files, from, [&](auto& empty, int dir, const CopyRequest& req) {
                                return copy_into_layer(m_context, empty, dir, req);
                            }));
                        return {};
                    });
                }
                op += "mount bind " + TRY(m_context.checksum(sources));
            }
            op += " " + r.target + (m.read_only ? " ro\n" : " rw\n");
        } else if (m.type == "secret") {
            // BuildKit's dispatchSecret: the id defaults to the target's name, the target to
            // /run/secrets/<id> unless the secret goes to a variable; a missing secret is
            // skipped unless required. Its content is not part of the key.
            std::string id = !m.source.empty() ? m.source
                             : !m.id.empty()   ? m.id
                                               : image::base_name(m.target);
            auto found = m_request.secrets.find(id);
            if (found == m_request.secrets.end()) {
                if (m.required) return fail("secret " + id + ": not found");
                continue;
            }
            if (m.env) step.process.env.push_back(*m.env + "=" + found->second);
            op += "mount secret " + id + " " + (m.target.empty() ? "" : r.target) + " env " +
                  m.env.value_or("") + "\n";
            if (m.target.empty() && m.env) continue;
            if (m.target.empty()) r.target = "/run/secrets/" + image::base_name(id);
            r.type = runtime::MountRequest::Type::bind;
            r.readonly = true;
            make.push_back([this, &step, &files, at = step.mounts.size(), &content = found->second,
                            m]() -> Result<void> {
                step.mounts[at].source = TRY(secret_file(content, m, files));
                return {};
            });
        } else if (m.type == "tmpfs") {
            r.type = runtime::MountRequest::Type::tmpfs;
            if (m.size_limit > 0) r.tmpfs_size = m.size_limit;
            op += "mount tmpfs " + r.target + "\n";
        } else {
            return fail("RUN --mount=type=" + m.type + " is not supported yet");
        }
        step.mounts.push_back(std::move(r));
    }
    return {};
}

Result<std::string> StageBuilder::secret_file(const std::string& content, const Mount& m,
                                              StepFiles& files) {
    std::string name = TRY(files.next(m_store));
    TRY(m_hooks.in_store([&]() -> Result<void> {
        Fd fd(::openat(files.staging.fd(), name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                       0600));
        if (!fd) return fail_errno("create secret file");
        TRY(fs::write_all(fd.get(), content));
        if (::fchown(fd.get(), m.uid.value_or(0), m.gid.value_or(0)) != 0)
            return fail_errno("chown secret file");
        if (::fchmod(fd.get(), m.mode.value_or(0400)) != 0) return fail_errno("chmod secret file");
        return {};
    }));
    return files.staging.path() + "/" + name;
}

Result<void> StageBuilder::remove_mount_stubs(int upper,
                                              const std::vector<runtime::MountRequest>& mounts) {
    if (mounts.empty()) return {};
    PinnedView parent = TRY(view_of(m_parent));
    for (const auto& m : mounts) {
        std::string path = clean_path(m.target);
        while (path != "/" && !path.empty()) {
            if (TRY(parent.view.lookup(path))) break;  // the image has it: not a stub
            std::string rel = path.substr(1);
            struct stat st {};
            if (::fstatat(upper, rel.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) break;
            if (S_ISDIR(st.st_mode)) {
                if (::unlinkat(upper, rel.c_str(), AT_REMOVEDIR) != 0) break;  // not empty
            } else if (S_ISREG(st.st_mode) && st.st_size == 0) {
                if (::unlinkat(upper, rel.c_str(), 0) != 0) break;
            } else {
                break;
            }
            path = dir_path(path);
        }
    }
    return {};
}

Result<void> StageBuilder::run_step(const RunInstruction& run, RunProcess process,
                                    const std::vector<Mount>& mounts) {
    RunStep step;
    step.image = m_parent;
    step.network = run.network == "default" ? m_request.network : run.network;
    step.quiet = m_request.quiet;
    std::string op = "RUN\n";
    for (const auto& a : process.args)
        op += "arg " + a + '\n';
    for (const auto& e : process.env)
        op += "env " + e + '\n';
    op += "user " + process.user + "\ncwd " + process.cwd + "\nnetwork " + step.network + "\n";
    // GPUs are part of what a step ran with (a probe of the device may shape its result).
    step.gpus = m_request.gpus;
    if (!step.gpus.empty()) op += "gpus " + step.gpus + "\n";
    StepFiles files{m_hooks, {}, 0, {}};  // secrets and bind copies, gone when the step ends
    std::vector<std::function<Result<void>()>> make_sources;
    step.process = std::move(process);
    TRY(plan_mounts(mounts, step, op, files, make_sources));
    std::string key = step_key(op);
    if (TRY(reuse(key, true))) return {};
    if (m_parent.empty()) return fail("RUN on a scratch stage: there is no shell to run");
    for (const auto& make : make_sources)
        TRY(make());
    for (auto& r : step.mounts)
        r.spec = r.source + ":" + r.target;
    std::string container;
    if (!m_request.quiet) step.output_fd = TRY(m_shared.output.begin_run(m_position));
    struct EndRun {
        OrderedOutput& output;
        size_t position;
        ~EndRun() { output.end_run(position); }
    } end_run{m_shared.output, m_position};
    int status = TRY(m_hooks.run(
        step,
        [&](int upper, const std::function<image::DiffOptions()>& diff) -> Result<void> {
            print("Removing intermediate container " + container);
            TRY(m_hooks.in_store([&] { return remove_mount_stubs(upper, step.mounts); }));
            return commit(upper, diff, key, true);
        },
        [&](const std::string& id) {
            container = id;
            print(" ---> Running in " + id);
        }));
    if (status != 0 && interrupted()) return interruption();
    if (status != 0)
        return std::unexpected(Error{"The command '" + join(step.process.args, " ") +
                                         "' returned a non-zero code: " + std::to_string(status),
                                     k_step_failed, status});
    return {};
}

}  // namespace ferry::build
