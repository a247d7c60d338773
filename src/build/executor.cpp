// See executor.hpp. The stages the plan needs are built in Dockerfile order (every dependency
// before its user). Output follows docker's classic builder: `Step N/M : <instruction>`,
// ` ---> Running in <container>` and the RUN's own output, ` ---> Using cache`, ` ---> <image>`
// after each step that made an image, then `Successfully built` and `Successfully tagged`.
// Steps that only change the config print their Step line alone: ferry makes no image for them
// (BuildKit's way; the classic builder committed one per instruction).

#include "ferry/build/executor.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "ferry/build/add_archive.hpp"
#include "ferry/build/copy_from.hpp"
#include "ferry/build/copy_op.hpp"
#include "ferry/build/layer_ops.hpp"
#include "ferry/build/path_match.hpp"
#include "ferry/build/source_common.hpp"
#include "ferry/image/commit.hpp"
#include "ferry/image/lookup.hpp"
#include "ferry/oci/image_config.hpp"
#include "ferry/runtime/layer_view.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/sha256.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::build {

namespace {

constexpr std::string_view k_history_comment = "buildkit.dockerfile.v0";

// An error pointing at an instruction's line, as the planner's.
Error at_line(const SourceInfo& source, std::string message, int code = k_exit_error) {
    return Error{"dockerfile:" + std::to_string(source.line) + ": " + std::move(message), 0, code};
}

// The text a Step line shows: the instruction as written, on one line.
std::string step_text(const SourceInfo& source) {
    std::string text = source.code;
    if (!text.starts_with(source.keyword)) text = source.keyword + " " + text;
    return text;
}

class Builder {
  public:
    Builder(image::Store& store, const Dockerfile& dockerfile, const BuildContext& context,
            const BuildRequest& request, const BuildHooks& hooks, const BuildPlan& plan)
        : m_store(store), m_file(dockerfile), m_context(context), m_request(request),
          m_hooks(hooks), m_plan(plan) {
        for (const auto& s : plan.stages)
            m_steps += 1 + m_file.stages[s.index].instructions.size();
        m_results.resize(m_file.stages.size());
    }

    Result<std::string> build() {
        for (const auto& stage : m_plan.stages)
            TRY(build_stage(stage));
        return m_results[m_plan.target].image;
    }

  private:
    struct StageResult {
        std::string image;
        StageState state;
    };

    void print(std::string_view line) {
        if (!m_request.quiet && m_hooks.print) m_hooks.print(line);
    }
    void print_step(const SourceInfo& source) {
        print("Step " + std::to_string(++m_step) + "/" + std::to_string(m_steps) + " : " +
              step_text(source));
    }
    // Whether the hooks report an interruption, and the error that then ends the build (checked
    // before each step, and when a RUN's container died).
    bool interrupted() const { return m_hooks.interrupted && m_hooks.interrupted(); }
    static std::unexpected<Error> interruption() {
        return std::unexpected(Error{"interrupted", EINTR, 130});
    }

    // An image's merged tree, its layers pinned while the view is used.
    struct PinnedView {
        FileLock pin;
        runtime::LayerView view;
    };
    Result<PinnedView> view_of(const std::string& id) const {
        FileLock pin = TRY(m_store.pin_layers());
        runtime::LayerView view = TRY(runtime::LayerView::open(TRY(layers_of(id))));
        return PinnedView{std::move(pin), std::move(view)};
    }

    Result<void> build_stage(const PlannedStage& planned) {
        const Stage& stage = m_file.stages[planned.index];
        print_step(stage.source);
        std::vector<std::string> onbuild;
        if (planned.base_stage) {
            const StageResult& base = m_results[*planned.base_stage];
            m_state = start_stage_from(base.state);
            m_parent = base.image;
        } else if (planned.base == "scratch") {
            StartedStage started = start_stage(scratch_config({}), m_plan.global_values,
                                               m_file.escape);
            m_state = std::move(started.state);
            m_parent.clear();
        } else {
            m_parent = TRY(m_hooks.image(planned.base, planned.platform));
            std::string text = TRY(m_store.read_blob(m_parent));
            ImageConfig config = TRY_CTX("image " + image::short_id(m_parent),
                                         parse_image_config(text));
            StartedStage started = start_stage(std::move(config), m_plan.global_values,
                                               m_file.escape);
            m_state = std::move(started.state);
            onbuild = std::move(started.onbuild);
        }
        if (!onbuild.empty())
            return std::unexpected(at_line(stage.source, "ONBUILD triggers of the base image "
                                                         "are not supported yet"));
        m_base = m_parent;
        m_keyed = m_state.image.history.size();
        print(" ---> " + (m_parent.empty() ? std::string("scratch") : image::short_id(m_parent)));
        m_planned = &planned;
        for (size_t i = 0; i < stage.instructions.size(); ++i)
            TRY(step(stage.instructions[i], i));
        bool target = planned.index == m_plan.target;
        if (target && !m_request.labels.empty()) {
            auto& labels = m_state.image.config->labels;
            if (!labels) labels.emplace();
            for (const auto& [k, v] : m_request.labels)
                (*labels)[k] = v;
        }
        if (m_keyed < m_state.image.history.size() || m_parent == m_base ||
            (target && !m_request.labels.empty())) {
            std::string op = "config\n";
            if (target)
                for (const auto& [k, v] : m_request.labels)
                    op += "label " + k + "=" + v + "\n";
            std::string key = step_key(op);
            if (!TRY(reuse(key, false))) TRY(commit(-1, nullptr, key, !target));
        }
        m_results[planned.index] = {m_parent, m_state};
        return {};
    }

    Result<void> step(const Instruction& instruction, size_t index) {
        if (interrupted()) return interruption();
        m_index = index;
        const SourceInfo& source = source_of(instruction);
        print_step(source);
        auto fail_here = [&](Error e) { return std::unexpected(at_line(source, e.message)); };
        if (auto* copy = std::get_if<CopyInstruction>(&instruction)) {
            if (auto r = copy_step(copy->paths, copy->from, copy->chown, copy->chmod, "COPY"); !r)
                return fail_here(std::move(r.error()));
            return {};
        }
        if (auto* add = std::get_if<AddInstruction>(&instruction)) {
            if (auto r = copy_step(add->paths, "", add->chown, add->chmod, "ADD"); !r)
                return fail_here(std::move(r.error()));
            return {};
        }
        std::vector<Mount> mounts;
        if (auto* run = std::get_if<RunInstruction>(&instruction)) {
            if (!run->devices.empty()) return fail_here(Error{"RUN --device is not supported yet"});
            // Parsed before apply: their fields see the variables before this RUN.
            ShellEnv vars = m_state.variables();
            auto expand = [&](const std::string& v) { return process_word(v, vars, m_state.escape); };
            for (const auto& m : run->mounts) {
                auto parsed = parse_mount(m, expand);
                if (!parsed) return fail_here(std::move(parsed.error()));
                mounts.push_back(std::move(*parsed));
            }
        }
        auto action = apply(m_state, instruction, m_request.args);
        if (!action) return fail_here(std::move(action.error()));
        if (auto* process = std::get_if<RunProcess>(&*action)) {
            auto r = run_step(*std::get_if<RunInstruction>(&instruction), std::move(*process), mounts);
            if (!r && r.error().sys_errno != k_step_failed && r.error().sys_errno != EINTR)
                return fail_here(std::move(r.error()));
            return r;
        }
        if (auto* dir = std::get_if<MakeWorkdir>(&*action)) {
            if (auto r = workdir_step(*dir); !r) return fail_here(std::move(r.error()));
        }
        return {};
    }

    // The cache key of a step: the parent image, the history written since it, and op.
    std::string step_key(const std::string& op) const {
        std::string text = "ferry build step v1\n";
        text += m_parent.empty() ? "scratch" : m_parent;
        text += '\n';
        for (size_t i = m_keyed; i < m_state.image.history.size(); ++i)
            text += m_state.image.history[i].created_by + '\n';
        text += op;
        return sha256_hex(text);
    }

    // Takes the image recorded for key, if the cache may be used and has one.
    Result<bool> reuse(const std::string& key, bool say) {
        if (m_request.no_cache) return false;
        return adopt(key, say);
    }

    // Makes the image recorded for key the stage's current one; false when there is none.
    Result<bool> adopt(const std::string& key, bool say) {
        image::ImageCatalog catalog = TRY(m_store.read_images());
        const image::ImageRecord* hit = catalog.find_build_key(key);
        if (!hit) return false;
        auto text = m_store.read_blob(hit->id);
        if (!text) return false;
        auto config = parse_image_config(*text);
        if (!config) return false;
        m_state.image = std::move(*config);
        m_parent = hit->id;
        m_keyed = m_state.image.history.size();
        if (say) print(" ---> Using cache");
        print(" ---> " + image::short_id(m_parent));
        return true;
    }

    // Commits upper (-1: none) on the parent with the stage's config as the next image. The
    // commit runs where the layer's files show their owners (the store's user namespace, in a
    // child process when rootless), diff giving the directory's whiteout flavour and id maps as
    // seen from there; the result is then read back from the store by the step's key.
    Result<void> commit(int upper, const std::function<image::DiffOptions()>& diff,
                        const std::string& key, bool intermediate) {
        TRY(m_hooks.in_store([&]() -> Result<void> {
            image::LayerCommit request;
            request.upper_dir = upper;
            if (diff) request.diff = diff();
            request.parent_image = m_parent;
            request.build_keys = {key};
            request.intermediate = intermediate;
            request.make_config = [&](const ImageConfig& parent,
                                      const std::string& diff_id) -> Result<ImageConfig> {
                ImageConfig c = m_state.image;
                c.rootfs.diff_ids = parent.rootfs.diff_ids;
                if (!diff_id.empty()) c.rootfs.diff_ids.push_back(TRY(Digest::parse(diff_id)));
                std::string now = format_rfc3339(now_unix_ns());
                c.created = now;
                for (size_t i = m_keyed; i < c.history.size(); ++i)
                    if (!c.history[i].created) c.history[i].created = now;
                // A step that changed nothing adds no layer (BuildKit's exporter drops it too).
                if (upper >= 0 && diff_id.empty() && !c.history.empty())
                    c.history.back().empty_layer = true;
                return c;
            };
            TRY(image::commit_layer(m_store, request));
            return {};
        }));
        if (!TRY(adopt(key, false))) return fail("the image of step " + key.substr(0, 12) +
                                                " is missing from the store after its commit");
        return {};
    }

    // The unpacked layers of an image ("" for scratch: none), top first, for a view.
    Result<std::vector<std::string>> layers_of(const std::string& id) const {
        std::vector<std::string> dirs;
        if (id.empty()) return dirs;
        image::ImageCatalog catalog = TRY(m_store.read_images());
        const image::ImageRecord* rec = catalog.find_id(id);
        if (!rec) return fail("image " + id + " is missing from the store");
        for (auto it = rec->chain_ids.rbegin(); it != rec->chain_ids.rend(); ++it)
            dirs.push_back(m_store.layer_path(*it) + "/diff");
        return dirs;
    }

    // The image COPY --from names: a built stage's, an outside image's (pulled when missing),
    // or none for scratch.
    Result<std::string> from_image(const std::string& written) {
        for (const auto& ref : m_planned->sources) {
            if (ref.instruction != m_index || ref.mount != 0) continue;
            if (ref.kind == SourceKind::Stage) return m_results[ref.stage].image;
            if (ref.kind == SourceKind::Scratch) return std::string();
            return m_hooks.image(ref.written, "");
        }
        return fail("COPY --from=" + written + ": not in the build plan");
    }

    // Runs fn on an empty layer directory, then commits what it wrote.
    Result<void> layer_step(const std::string& key,
                            const std::function<Result<void>(const runtime::LayerView&, int)>& fn) {
        PinnedView parent = TRY(view_of(m_parent));
        image::Staging staging = TRY(m_store.stage());
        if (::mkdirat(staging.fd(), "upper", 0755) != 0) return fail_errno("mkdir upper");
        Fd upper = TRY(fs::open_at(staging.fd(), "upper", O_RDONLY | O_DIRECTORY));
        auto done = [&]() -> Result<void> {
            TRY(m_hooks.in_store([&]() { return fn(parent.view, upper.get()); }));
            parent.pin.release();
            return commit(upper.get(), nullptr, key, true);
        }();
        // Its files have the image's owners: removed where they can be (the store's namespace),
        // before the staging directory goes.
        auto removed = m_hooks.in_store([&] { return fs::remove_tree_at(staging.fd(), "upper"); });
        TRY(std::move(done));
        return removed;
    }

    Result<void> copy_step(const SourcesAndDest& paths, const std::string& from,
                           const std::string& chown,
                           const std::string& chmod, const char* keyword) {
        if (!paths.inline_sources.empty()) return fail(std::string(keyword) +
                                                       " of a here-document is not supported yet");
        ShellEnv vars = m_state.variables();
        std::vector<std::string> written;
        for (const auto& src : paths.sources) {
            std::string s = TRY(process_word(src, vars, m_state.escape));
            if (s.starts_with("http://") || s.starts_with("https://") ||
                s.starts_with("git@"))
                return fail(std::string(keyword) + " of a URL is not supported yet");
            written.push_back(std::move(s));
        }
        // COPY --from reads another image through a view of its layers, pinned meanwhile.
        std::optional<PinnedView> from_image_view;
        const runtime::LayerView* from_view = nullptr;
        std::string from_id;
        if (!from.empty()) {
            from_id = TRY(from_image(from));
            from_image_view = TRY(view_of(from_id));
            from_view = &from_image_view->view;
        }
        CopyRequest request;
        for (const auto& s : written) {
            request.wildcard_or_many = request.wildcard_or_many || has_wildcards(s);
            auto resolved = from_view ? TRY(resolve_in_image(*from_view, s, from))
                                      : TRY(m_context.resolve(s));
            request.sources.insert(request.sources.end(), resolved.begin(), resolved.end());
        }
        request.wildcard_or_many = request.wildcard_or_many || paths.sources.size() > 1;
        std::string dest = TRY(process_word(paths.dest, vars, m_state.escape));
        std::string workdir = m_state.image.config->working_dir;
        if (!dest.starts_with('/')) {
            bool slash = dest.ends_with('/') || dest == "." || dest.ends_with("/.");
            dest = clean_path((workdir.empty() ? std::string("/") : workdir) + "/" + dest);
            if (slash && !dest.ends_with('/')) dest += '/';
        }
        request.dest = dest;
        std::string expanded_chown = chown.empty() ? "" : TRY(process_word(chown, vars, m_state.escape));
        if (!chmod.empty()) request.chmod = TRY(parse_chmod(chmod));
        std::string checksum = from_view ? TRY(image_sources_checksum(*from_view, request.sources))
                                         : TRY(m_context.checksum(request.sources));

        std::string created_by = std::string(keyword);
        if (!from.empty()) created_by += " --from=" + from;
        if (!expanded_chown.empty()) created_by += " --chown=" + expanded_chown;
        if (!chmod.empty()) created_by += " --chmod=" + chmod;
        created_by += " " + join(written, " ") + " " + paths.dest + " # buildkit";
        HistoryEntry entry;
        entry.created_by = std::move(created_by);
        entry.comment = std::string(k_history_comment);
        m_state.image.history.push_back(std::move(entry));

        std::string key = step_key(std::string(keyword) + "\nfrom " + from_id + "\n" + checksum +
                                   "\n" + request.dest + "\nchown " + expanded_chown +
                                   "\nchmod " + chmod + "\n");
        if (TRY(reuse(key, true))) return {};
        // ADD unpacks local tar archives (plain, gzip, zstd) into dest instead of copying them.
        std::vector<ArchiveSource> archives;
        if (std::string_view(keyword) == "ADD") {
            std::vector<ResolvedSource> files;
            for (auto& src : request.sources) {
                ArchiveKind kind = TRY(archive_kind(m_context, src));
                if (kind == ArchiveKind::none) files.push_back(std::move(src));
                else archives.push_back({std::move(src), kind});
            }
            request.sources = std::move(files);
        }
        std::string unpack_dir = request.dest.size() > 1 && request.dest.ends_with('/')
                                     ? request.dest.substr(0, request.dest.size() - 1)
                                     : request.dest;
        return layer_step(key, [&](const runtime::LayerView& view, int upper) -> Result<void> {
            if (!expanded_chown.empty()) request.chown = TRY(resolve_chown(view, expanded_chown));
            for (const auto& archive : archives)
                TRY(unpack_into_layer(m_context, view, upper, archive, unpack_dir));
            if (from_view) TRY(copy_from_image(*from_view, view, upper, request));
            else if (!request.sources.empty()) TRY(copy_into_layer(m_context, view, upper, request));
            return {};
        });
    }

    Result<void> workdir_step(const MakeWorkdir& dir) {
        std::string key = step_key("WORKDIR " + dir.path + "\nuser " + dir.user + "\n");
        {
            PinnedView parent = TRY(view_of(m_parent));
            auto found = TRY(parent.view.lookup(dir.path));
            if (found && S_ISDIR(found->st.st_mode)) {
                // Nothing to make: the step adds no layer, its history says so.
                m_state.image.history.back().empty_layer = true;
                return {};
            }
        }
        if (TRY(reuse(key, true))) return {};
        return layer_step(key, [&](const runtime::LayerView& view, int upper) -> Result<void> {
            CopyOwner owner;
            if (!dir.user.empty()) {
                auto user = TRY(resolve_user(view, dir.user));
                owner = {user.uid, user.gid};
            }
            return make_dir_in_layer(view, upper, dir.path, owner);
        });
    }

    // RUN --mount: what each mount adds to the container and to the step's cache key. A cache
    // mount is a directory of the store kept between builds (by id, else by target); a bind
    // mount of the context is read-only and its content is part of the key; tmpfs is empty.
    Result<void> plan_mounts(const std::vector<Mount>& mounts, RunStep& step, std::string& op) {
        for (const auto& m : mounts) {
            runtime::MountRequest r;
            r.flag = runtime::MountRequest::Flag::mount;
            r.target = m.target.starts_with('/') ? m.target
                                                 : clean_path(m_state.image.config->working_dir +
                                                              "/" + m.target);
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
                if (!m.from.empty()) return fail("RUN --mount=type=bind,from= is not supported yet");
                if (!m.read_only) return fail("RUN --mount=type=bind,rw is not supported yet");
                auto sources = TRY(m_context.resolve(m.source.empty() ? "." : m.source));
                if (sources.size() != 1) return fail("bind mount source " + m.source + ": not one path");
                r.type = runtime::MountRequest::Type::bind;
                r.source = fs::absolute_path(m_context.dir() + "/" + sources[0].path);
                r.readonly = true;
                op += "mount bind " + r.target + " " + TRY(m_context.checksum(sources)) + "\n";
            } else if (m.type == "tmpfs") {
                r.type = runtime::MountRequest::Type::tmpfs;
                if (m.size_limit > 0) r.tmpfs_size = m.size_limit;
                op += "mount tmpfs " + r.target + "\n";
            } else {
                return fail("RUN --mount=type=" + m.type + " is not supported yet");
            }
            r.spec = r.source + ":" + r.target;
            step.mounts.push_back(std::move(r));
        }
        return {};
    }

    // The mount points the runtime made for RUN --mount targets the image lacks are not part of
    // the step's result (BuildKit removes these stubs too): each such target and the parents
    // made for it go from the upper directory while they are empty.
    Result<void> remove_mount_stubs(int upper, const std::vector<runtime::MountRequest>& mounts) {
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

    Result<void> run_step(const RunInstruction& run, RunProcess process,
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
        TRY(plan_mounts(mounts, step, op));
        std::string key = step_key(op);
        if (TRY(reuse(key, true))) return {};
        if (m_parent.empty()) return fail("RUN on a scratch stage: there is no shell to run");
        step.process = std::move(process);
        std::string container;
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
                                             "' returned a non-zero code: " +
                                             std::to_string(status),
                                         k_step_failed, status});
        return {};
    }

    image::Store& m_store;
    const Dockerfile& m_file;
    const BuildContext& m_context;
    const BuildRequest& m_request;
    const BuildHooks& m_hooks;
    const BuildPlan& m_plan;
    const PlannedStage* m_planned = nullptr;  // the stage being built
    size_t m_index = 0;                       // the instruction being built, in its stage
    std::vector<StageResult> m_results;
    size_t m_step = 0, m_steps = 0;
    StageState m_state;
    std::string m_parent;  // the stage's current image ("" for scratch before its first step)
    std::string m_base;    // the image the stage started from
    size_t m_keyed = 0;    // history entries up to here are in m_parent's config
};

}  // namespace

Result<BuildResult> run_build(image::Store& store, const Dockerfile& dockerfile,
                              const BuildContext& context, const BuildRequest& request,
                              const BuildHooks& hooks) {
    auto plan = plan_build(dockerfile, request.args, request.target);
    if (!plan) return std::unexpected(plan.error().to_error());
    Builder builder(store, dockerfile, context, request, hooks, *plan);
    BuildResult result;
    result.image = TRY(builder.build());
    // The result is an image of its own, not cache: named, or dangling when it loses its name.
    TRY(store.update_images([&](image::ImageCatalog& catalog) -> Result<void> {
        const image::ImageRecord* rec = catalog.find_id(result.image);
        if (!rec) return fail("image " + result.image + " is missing from the store");
        image::ImageRecord copy = *rec;
        copy.intermediate = false;
        catalog.upsert(copy);
        for (const auto& tag : request.tags)
            catalog.set_name(result.image, tag, now_unix_ns());
        return {};
    }));
    return result;
}

}  // namespace ferry::build
