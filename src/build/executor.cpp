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
#include <map>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "ferry/build/add_archive.hpp"
#include "ferry/build/copy_from.hpp"
#include "ferry/build/copy_op.hpp"
#include "ferry/build/layer_ops.hpp"
#include "ferry/build/ordered_output.hpp"
#include "ferry/build/path_match.hpp"
#include "ferry/build/side_sources.hpp"
#include "ferry/build/source_common.hpp"
#include "ferry/image/commit.hpp"
#include "ferry/image/copy_rules.hpp"
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

// A built stage: its image and the state its users start from.
struct StageResult {
    std::string image;
    StageState state;
    std::string chain;  // the key of its last step
};

// What the stages of one build share.
struct Shared {
    image::Store& store;
    const Dockerfile& file;
    const BuildContext& context;
    const BuildRequest& request;
    const BuildHooks& hooks;
    const BuildPlan& plan;
    OrderedOutput output;
    std::vector<StageResult> results;  // by Dockerfile index, written before any user starts
    std::vector<size_t> first_step;    // by plan position: the number of the stage's FROM step
    size_t steps = 0;
    std::atomic<bool> stopped{false};  // a stage failed: the others stop before their next step
    std::map<std::string, std::vector<Digest>> cache_from;  // step key -> the result's layers
};

// Files a RUN step's mounts need (secrets, copies bound read-write or from another image), in
// a staging directory made on first use; the copied trees are removed in the store's user
// namespace (their owners may be the image's), the rest with the directory.
struct StepFiles {
    const BuildHooks& hooks;
    image::Staging staging;
    size_t made = 0;
    std::vector<std::string> trees;

    // A new name in the directory.
    Result<std::string> next(image::Store& store) {
        if (staging.path().empty()) staging = TRY(store.stage());
        return std::to_string(made++);
    }
    ~StepFiles() {
        if (trees.empty()) return;
        (void)hooks.in_store([&]() -> Result<void> {
            for (const auto& t : trees)
                TRY(fs::remove_tree_at(staging.fd(), t));
            return {};
        });
    }
};

// The config field that lists the keys of the steps an image's stage went through and how many
// layers each step's result had (an inline cache, as BuildKit's moby.buildkit.cache.v0).
constexpr const char* k_inline_cache = "ferry.build.cache.v1";

// The error of a stage that stopped because another failed (not reported).
constexpr int k_stopped = ECANCELED;

// Builds one planned stage, at the same time as the stages that do not depend on it.
class StageBuilder {
  public:
    StageBuilder(Shared& shared, size_t position)
        : m_shared(shared), m_store(shared.store), m_file(shared.file), m_context(shared.context),
          m_request(shared.request), m_hooks(shared.hooks), m_plan(shared.plan),
          m_position(position), m_step(shared.first_step[position]) {}

    Result<void> build() { return build_stage(m_plan.stages[m_position]); }

  private:
    void print(std::string_view line) {
        if (!m_request.quiet) m_shared.output.text(m_position, std::string(line) + "\n");
    }
    void print_step(const SourceInfo& source) {
        print("Step " + std::to_string(++m_step) + "/" + std::to_string(m_shared.steps) + " : " +
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
            const StageResult& base = m_shared.results[*planned.base_stage];
            m_state = start_stage_from(base.state);
            m_parent = base.image;
            m_chain = base.chain;
        } else if (planned.base == "scratch") {
            StartedStage started = start_stage(scratch_config({}), m_plan.global_values,
                                               m_file.escape);
            m_state = std::move(started.state);
            m_parent.clear();
            m_chain = "scratch";
        } else {
            m_parent = TRY(m_hooks.image(planned.base, planned.platform));
            std::string text = TRY(m_store.read_blob(m_parent));
            ImageConfig config = TRY_CTX("image " + image::short_id(m_parent),
                                         parse_image_config(text));
            StartedStage started = start_stage(std::move(config), m_plan.global_values,
                                               m_file.escape);
            m_state = std::move(started.state);
            m_state.image.other.erase(k_inline_cache);  // the base's own steps are not ours
            onbuild = std::move(started.onbuild);
            m_chain = m_parent;
        }
        m_base = m_parent;
        m_keyed = m_state.image.history.size();
        print(" ---> " + (m_parent.empty() ? std::string("scratch") : image::short_id(m_parent)));
        m_planned = &planned;
        TRY(run_triggers(stage.source, onbuild));
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
            // The whole config: not every instruction writes history (ONBUILD does not).
            std::string key = step_key("config\n" + serialize(m_state.image));
            if (!TRY(reuse(key, false))) TRY(commit(-1, nullptr, key, !target));
        }
        m_shared.results[planned.index] = {m_parent, m_state, m_chain};
        return {};
    }

    // The base image's ONBUILD triggers, run as part of FROM's step (the classic builder's `#
    // Executing N build triggers`). Each is parsed as a one-instruction Dockerfile; an error
    // points at the FROM line.
    Result<void> run_triggers(const SourceInfo& from, const std::vector<std::string>& triggers) {
        if (triggers.empty()) return {};
        print("# Executing " + std::to_string(triggers.size()) + " build trigger" +
              (triggers.size() == 1 ? "" : "s"));
        for (const auto& trigger : triggers) {
            auto parsed = parse_dockerfile("FROM scratch\n" + trigger + "\n");
            if (!parsed || parsed->stages.size() != 1 || parsed->stages[0].instructions.size() != 1)
                return std::unexpected(at_line(from, "invalid ONBUILD trigger of the base image: " +
                                                         trigger));
            const Instruction& instruction = parsed->stages[0].instructions[0];
            auto* copy = std::get_if<CopyInstruction>(&instruction);
            bool uses_sources = copy && !copy->from.empty();
            if (auto* run = std::get_if<RunInstruction>(&instruction))
                for (const auto& m : run->mounts)
                    uses_sources = uses_sources || m.find("from=") != std::string::npos;
            if (uses_sources)
                return std::unexpected(at_line(from, "ONBUILD trigger with --from is not "
                                                     "supported: " + trigger));
            TRY(step(instruction, SIZE_MAX, from));
        }
        return {};
    }

    // One instruction; trigger_of: the FROM whose base image's ONBUILD trigger this is (it then
    // prints no Step line of its own and its errors point at the FROM).
    Result<void> step(const Instruction& instruction, size_t index,
                      std::optional<SourceInfo> trigger_of = std::nullopt) {
        if (interrupted()) return interruption();
        if (m_shared.stopped) return std::unexpected(Error{"stopped", k_stopped});
        m_index = index;
        const SourceInfo& source = trigger_of ? *trigger_of : source_of(instruction);
        if (!trigger_of) print_step(source);
        auto fail_here = [&](Error e) { return std::unexpected(at_line(source, e.message)); };
        if (auto* copy = std::get_if<CopyInstruction>(&instruction)) {
            if (!copy->excludes.empty()) return fail_here(Error{"COPY --exclude is not supported yet"});
            if (copy->parents) return fail_here(Error{"COPY --parents is not supported yet"});
            CopyFlags flags{copy->from, copy->chown, copy->chmod, "", std::nullopt, false};
            if (auto r = copy_step(copy->paths, flags); !r) return fail_here(std::move(r.error()));
            return {};
        }
        if (auto* add = std::get_if<AddInstruction>(&instruction)) {
            if (!add->excludes.empty()) return fail_here(Error{"ADD --exclude is not supported yet"});
            CopyFlags flags{"", add->chown, add->chmod, add->checksum, add->unpack, true};
            if (auto r = copy_step(add->paths, flags); !r) return fail_here(std::move(r.error()));
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

    // The cache key of a step: the key of the step before it (the base image's ID for the
    // first), the history written since, and op. Keys so depend only on the base image and
    // what the steps did, not on when the images between were made: they hold on another
    // machine, which --cache-from relies on.
    std::string step_key(const std::string& op) const {
        std::string text = "ferry build step v2\n";
        text += m_chain;
        text += '\n';
        for (size_t i = m_keyed; i < m_state.image.history.size(); ++i)
            text += m_state.image.history[i].created_by + '\n';
        text += op;
        return sha256_hex(text);
    }

    // Takes the image recorded for key, if the cache may be used and has one: the store's, or
    // one made from the layers of a --cache-from image whose steps included key.
    Result<bool> reuse(const std::string& key, bool say) {
        if (m_request.no_cache) return false;
        if (TRY(adopt(key, say))) return true;
        auto from = m_shared.cache_from.find(key);
        if (from == m_shared.cache_from.end()) return false;
        if (say) print(" ---> Using cache");
        TRY(commit(-1, nullptr, key, true, &from->second));
        return true;
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
        m_chain = key;
        m_keyed = m_state.image.history.size();
        if (say) print(" ---> Using cache");
        print(" ---> " + image::short_id(m_parent));
        return true;
    }

    // Commits upper (-1: none) on the parent with the stage's config as the next image. The
    // commit runs where the layer's files show their owners (the store's user namespace, in a
    // child process when rootless), diff giving the directory's whiteout flavour and id maps as
    // seen from there; the result is then read back from the store by the step's key.
    // layers: the layers of the result when they come from a --cache-from image (upper is -1).
    Result<void> commit(int upper, const std::function<image::DiffOptions()>& diff,
                        const std::string& key, bool intermediate,
                        const std::vector<Digest>* layers = nullptr) {
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
                c.rootfs.diff_ids = layers ? *layers : parent.rootfs.diff_ids;
                if (!diff_id.empty()) c.rootfs.diff_ids.push_back(TRY(Digest::parse(diff_id)));
                if (layers && !c.history.empty())
                    c.history.back().empty_layer = layers->size() == parent.rootfs.diff_ids.size();
                // The steps' keys and how many layers each result had: the image's inline
                // cache, which --cache-from reads on any machine.
                Json& cache = c.other[k_inline_cache];
                if (!cache.is_array()) cache = Json::array();
                cache.push_back({{"key", key}, {"layers", c.rootfs.diff_ids.size()}});
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
    // or none for scratch; with what stands for it in a cache key (a stage's last key, so that
    // the key does not depend on when the stage was built).
    struct FromImage {
        std::string id, chain;
    };
    // mount: the index of RUN's --mount (0 for COPY).
    Result<FromImage> from_image(const std::string& written, size_t mount = 0) {
        for (const auto& ref : m_planned->sources) {
            if (ref.instruction != m_index || ref.mount != mount) continue;
            if (ref.kind == SourceKind::Stage) {
                const StageResult& r = m_shared.results[ref.stage];
                return FromImage{r.image, r.chain};
            }
            if (ref.kind == SourceKind::Scratch) return FromImage{"", "scratch"};
            std::string id = TRY(m_hooks.image(ref.written, ""));
            return FromImage{id, id};
        }
        return fail("--from=" + written + ": not in the build plan");
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

    // COPY and ADD. Context sources are copied as they are, or unpacked by ADD when they are
    // archives; here-documents and ADD's URLs are first written into a directory of their own
    // (side_sources) and copied from there, URLs unpacked only with --unpack.
    struct CopyFlags {
        std::string from, chown, chmod, checksum;
        std::optional<bool> unpack;
        bool add = false;
    };
    Result<void> copy_step(const SourcesAndDest& paths, const CopyFlags& flags) {
        const char* keyword = flags.add ? "ADD" : "COPY";
        ShellEnv vars = m_state.variables();
        std::vector<std::string> written, urls;
        for (const auto& src : paths.sources) {
            std::string s = TRY(process_word(src, vars, m_state.escape));
            if (is_git_source(s)) {
                if (!flags.add) return fail("source can't be a git ref for COPY");
                return fail("ADD of a git repository is not supported yet");
            }
            if (is_url_source(s) && !flags.add) return fail("source can't be a URL for COPY");
            (is_url_source(s) ? urls : written).push_back(s);
        }
        if (!flags.checksum.empty()) {
            if (paths.sources.size() + paths.inline_sources.size() != 1)
                return fail("checksum can't be specified for multiple sources");
            if (urls.empty()) return fail("checksum requires HTTP(S) or Git sources");
            if (!flags.checksum.starts_with("sha256:") || flags.checksum.size() != 7 + 64)
                return fail("invalid checksum digest format");
        }
        // Here-documents expand as BuildKit's ExpandRaw: quotes are ordinary characters.
        std::vector<InlineFile> docs;
        for (const auto& doc : paths.inline_sources) {
            ShellOptions raw;
            raw.escape = '\\';
            raw.skip_quotes = true;
            docs.push_back({doc.path, doc.expand ? TRY(expand_shell(doc.data, vars, raw)).word
                                                 : doc.data});
        }
        SideSources side = TRY(gather_side_sources(m_store, urls, docs, m_hooks.download,
                                                   flags.checksum));
        // COPY --from reads another image through a view of its layers, pinned meanwhile.
        std::optional<PinnedView> from_image_view;
        const runtime::LayerView* from_view = nullptr;
        FromImage from;
        if (!flags.from.empty()) {
            from = TRY(from_image(flags.from));
            from_image_view = TRY(view_of(from.id));
            from_view = &from_image_view->view;
        }
        CopyRequest request;
        for (const auto& s : written) {
            request.wildcard_or_many = request.wildcard_or_many || has_wildcards(s);
            auto resolved = from_view ? TRY(resolve_in_image(*from_view, s, flags.from))
                                      : TRY(m_context.resolve(s));
            request.sources.insert(request.sources.end(), resolved.begin(), resolved.end());
        }
        request.wildcard_or_many = request.wildcard_or_many ||
                                   paths.sources.size() + paths.inline_sources.size() > 1;
        std::string dest = TRY(process_word(paths.dest, vars, m_state.escape));
        std::string workdir = m_state.image.config->working_dir;
        if (!dest.starts_with('/')) {
            bool slash = dest.ends_with('/') || dest == "." || dest.ends_with("/.");
            dest = clean_path((workdir.empty() ? std::string("/") : workdir) + "/" + dest);
            if (slash && !dest.ends_with('/')) dest += '/';
        }
        request.dest = dest;
        std::string expanded_chown =
            flags.chown.empty() ? "" : TRY(process_word(flags.chown, vars, m_state.escape));
        if (!flags.chmod.empty()) request.chmod = TRY(parse_chmod(flags.chmod));
        std::string checksum = from_view ? TRY(image_sources_checksum(*from_view, request.sources))
                                         : TRY(m_context.checksum(request.sources));
        if (side.context) {
            checksum += "\nurls " + TRY(side.context->checksum(side.urls));
            checksum += "\ndocs " + TRY(side.context->checksum(side.docs));
        }

        std::string created_by = std::string(keyword);
        if (!flags.from.empty()) created_by += " --from=" + flags.from;
        if (!expanded_chown.empty()) created_by += " --chown=" + expanded_chown;
        if (!flags.chmod.empty()) created_by += " --chmod=" + flags.chmod;
        for (const auto& s : paths.sources)
            created_by += " " + TRY(process_word(s, vars, m_state.escape));
        for (const auto& doc : paths.inline_sources)
            created_by += " <<" + doc.path;
        created_by += " " + paths.dest + " # buildkit";
        HistoryEntry entry;
        entry.created_by = std::move(created_by);
        entry.comment = std::string(k_history_comment);
        m_state.image.history.push_back(std::move(entry));

        std::string key = step_key(std::string(keyword) + "\nfrom " + from.chain + "\n" + checksum +
                                   "\n" + request.dest + "\nchown " + expanded_chown +
                                   "\nchmod " + flags.chmod + "\nunpack " +
                                   (flags.unpack ? (*flags.unpack ? "1" : "0") : "-") + "\n");
        if (TRY(reuse(key, true))) return {};
        // ADD unpacks local archives (and URLs' with --unpack) into dest instead of copying them.
        auto split_archives = [&](const BuildContext& where, std::vector<ResolvedSource>& sources,
                                  std::vector<ArchiveSource>& archives) -> Result<void> {
            std::vector<ResolvedSource> files;
            for (auto& src : sources) {
                ArchiveKind kind = TRY(archive_kind(where, src));
                if (kind == ArchiveKind::none) files.push_back(std::move(src));
                else archives.push_back({std::move(src), kind});
            }
            sources = std::move(files);
            return {};
        };
        std::vector<ArchiveSource> archives, url_archives;
        if (flags.add && flags.unpack.value_or(true) && !from_view)
            TRY(split_archives(m_context, request.sources, archives));
        if (flags.add && flags.unpack.value_or(false) && side.context)
            TRY(split_archives(*side.context, side.urls, url_archives));
        std::string unpack_dir = request.dest.size() > 1 && request.dest.ends_with('/')
                                     ? request.dest.substr(0, request.dest.size() - 1)
                                     : request.dest;
        return layer_step(key, [&](const runtime::LayerView& view, int upper) -> Result<void> {
            if (!expanded_chown.empty()) request.chown = TRY(resolve_chown(view, expanded_chown));
            for (const auto& archive : archives)
                TRY(unpack_into_layer(m_context, view, upper, archive, unpack_dir));
            if (from_view) TRY(copy_from_image(*from_view, view, upper, request));
            else if (!request.sources.empty()) TRY(copy_into_layer(m_context, view, upper, request));
            if (!side.context) return {};
            for (const auto& archive : url_archives)
                TRY(unpack_into_layer(*side.context, view, upper, archive, unpack_dir));
            CopyRequest more = request;
            more.sources = side.urls;
            more.sources.insert(more.sources.end(), side.docs.begin(), side.docs.end());
            if (!more.sources.empty()) TRY(copy_into_layer(*side.context, view, upper, more));
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
    Result<void> plan_mounts(const std::vector<Mount>& mounts, RunStep& step, std::string& op,
                             StepFiles& files) {
        for (size_t mount = 0; mount < mounts.size(); ++mount) {
            const Mount& m = mounts[mount];
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
                r.type = runtime::MountRequest::Type::bind;
                r.readonly = m.read_only;
                std::string source = m.source.empty() ? "/" : m.source;
                if (!m.from.empty()) {
                    // Another stage's or image's path: a copy, as the image's layers must not
                    // be written through the mount.
                    FromImage from = TRY(from_image(m.from, mount));
                    PinnedView view = TRY(view_of(from.id));
                    auto sources = TRY(resolve_in_image(view.view, source, m.from));
                    if (sources.size() != 1) return fail("bind mount source " + source + ": not one path");
                    r.source = TRY(copy_for_mount(files, sources[0], [&](auto& empty, int dir,
                                                                         const CopyRequest& req) {
                        return copy_from_image(view.view, empty, dir, req);
                    }));
                    op += "mount bind from " + from.chain + " " + source;
                } else {
                    auto sources = TRY(m_context.resolve(source));
                    if (sources.size() != 1) return fail("bind mount source " + source + ": not one path");
                    if (m.read_only) {
                        r.source = fs::absolute_path(m_context.dir() + "/" + sources[0].path);
                    } else {  // writes go to a copy, dropped after the step (BuildKit's rw)
                        r.source = TRY(copy_for_mount(files, sources[0], [&](auto& empty, int dir,
                                                                             const CopyRequest& req) {
                            return copy_into_layer(m_context, empty, dir, req);
                        }));
                    }
                    op += "mount bind " + TRY(m_context.checksum(sources));
                }
                op += " " + r.target + (m.read_only ? " ro\n" : " rw\n");
            } else if (m.type == "secret") {
                // BuildKit's dispatchSecret: the id defaults to the target's name, the target to
                // /run/secrets/<id> unless the secret goes to a variable; a missing secret is
                // skipped unless required. Its content is not part of the key.
                std::string id = !m.source.empty() ? m.source : !m.id.empty() ? m.id
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
                r.source = TRY(secret_file(found->second, m, files));
                r.readonly = true;
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

    // A secret's content as a file of its own for a bind mount, owned and moded as the mount
    // says (0400 and root by default, as BuildKit's), named by its index in secrets.
    Result<std::string> secret_file(const std::string& content, const Mount& m, StepFiles& files) {
        std::string name = TRY(files.next(m_store));
        TRY(m_hooks.in_store([&]() -> Result<void> {
            Fd fd(::openat(files.staging.fd(), name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                           0600));
            if (!fd) return fail_errno("create secret file");
            TRY(fs::write_all(fd.get(), content));
            if (::fchown(fd.get(), m.uid.value_or(0), m.gid.value_or(0)) != 0)
                return fail_errno("chown secret file");
            if (::fchmod(fd.get(), m.mode.value_or(0400)) != 0)
                return fail_errno("chmod secret file");
            return {};
        }));
        return files.staging.path() + "/" + name;
    }

    // A copy of a bind mount's source (another image's path, or the context's for rw) in the
    // step's files: copy writes the source into an empty directory as COPY would to /m/, made
    // where the copies' owners can be written (the store's user namespace). Returns the path
    // to bind: /m itself for a directory, the file in it otherwise.
    template <class Copy>
    Result<std::string> copy_for_mount(StepFiles& files, const ResolvedSource& source, Copy copy) {
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
        StepFiles files{m_hooks, {}, 0, {}};  // secrets and bind copies, gone when the step ends
        step.process = std::move(process);
        TRY(plan_mounts(mounts, step, op, files));
        std::string key = step_key(op);
        if (TRY(reuse(key, true))) return {};
        if (m_parent.empty()) return fail("RUN on a scratch stage: there is no shell to run");
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
                                             "' returned a non-zero code: " +
                                             std::to_string(status),
                                         k_step_failed, status});
        return {};
    }

    Shared& m_shared;
    image::Store& m_store;
    const Dockerfile& m_file;
    const BuildContext& m_context;
    const BuildRequest& m_request;
    const BuildHooks& m_hooks;
    const BuildPlan& m_plan;
    size_t m_position;                        // in the plan
    const PlannedStage* m_planned = nullptr;  // the stage being built
    size_t m_index = 0;                       // the instruction being built, in its stage
    size_t m_step = 0;                        // the number of the last Step line printed
    StageState m_state;
    std::string m_parent;  // the stage's current image ("" for scratch before its first step)
    std::string m_base;    // the image the stage started from
    std::string m_chain;   // the key of the last step (the base's ID, "scratch", or its stage's)
    size_t m_keyed = 0;    // history entries up to here are in m_parent's config
};

// Adds the inline cache of image id (built by ferry, here or elsewhere) to cache: each step's
// key with the first layers of the image that were its result. An image without one adds
// nothing (as BuildKit, which then just finds no cache in it).
Result<void> read_inline_cache(image::Store& store, const std::string& id,
                               std::map<std::string, std::vector<Digest>>& cache) {
    ImageConfig config = TRY_CTX("image " + image::short_id(id),
                                 parse_image_config(TRY(store.read_blob(id))));
    auto entries = config.other.find(k_inline_cache);
    if (entries == config.other.end() || !entries->is_array()) return {};
    const auto& layers = config.rootfs.diff_ids;
    for (const auto& e : *entries) {
        if (!e.is_object() || !e.contains("key") || !e["key"].is_string() ||
            !e.contains("layers") || !e["layers"].is_number_unsigned())
            continue;
        size_t n = e["layers"].get<size_t>();
        if (n > layers.size()) continue;
        cache.emplace(e["key"].get<std::string>(),
                      std::vector<Digest>(layers.begin(), layers.begin() + static_cast<long>(n)));
    }
    return {};
}

// Builds the planned stages, each in a thread of its own that starts once the stages it needs
// are built. A failure stops the others before their next step and is the build's error (the
// first one, in time); their output is printed in plan order all the same.
Result<std::string> build_stages(Shared& shared) {
    const auto& stages = shared.plan.stages;
    enum class State { waiting, running, done, failed };
    std::vector<State> state(shared.file.stages.size(), State::done);
    for (const auto& s : stages)
        state[s.index] = State::waiting;
    std::optional<Error> error;
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<std::thread> threads;
    size_t running = 0;
    std::unique_lock lock(mutex);
    for (;;) {
        for (size_t p = 0; p < stages.size() && !error; ++p) {
            const PlannedStage& stage = stages[p];
            if (state[stage.index] != State::waiting) continue;
            if (!std::ranges::all_of(stage.deps, [&](size_t d) { return state[d] == State::done; }))
                continue;
            state[stage.index] = State::running;
            ++running;
            threads.emplace_back([&, p, index = stage.index] {
                auto built = StageBuilder(shared, p).build();
                shared.output.finish(p);
                std::lock_guard done(mutex);
                state[index] = built ? State::done : State::failed;
                if (!built && !error && built.error().sys_errno != k_stopped) {
                    error = std::move(built.error());
                    shared.stopped = true;
                }
                --running;
                changed.notify_all();
            });
        }
        if (running == 0) break;
        changed.wait(lock);
    }
    lock.unlock();
    for (auto& t : threads)
        t.join();
    shared.output.finish_all();
    if (error) return std::unexpected(std::move(*error));
    std::vector<StageState> built;
    for (const auto& stage : stages)
        built.push_back(shared.results[stage.index].state);
    auto unused = unconsumed_build_args(shared.request.args, shared.file.global_args, built);
    if (!unused.empty() && !shared.request.quiet) shared.hooks.print(unconsumed_warning(unused) + "\n");
    return shared.results[shared.plan.target].image;
}

}  // namespace

Result<BuildResult> run_build(image::Store& store, const Dockerfile& dockerfile,
                              const BuildContext& context, const BuildRequest& request,
                              const BuildHooks& hooks) {
    auto plan = plan_build(dockerfile, request.args, request.target);
    if (!plan) return std::unexpected(plan.error().to_error());
    Shared shared{store, dockerfile, context, request, hooks, *plan,
                  OrderedOutput(plan->stages.size(), hooks.print), {}, {}, 0, {}, {}};
    shared.results.resize(dockerfile.stages.size());
    for (const auto& name : request.cache_from)
        TRY(read_inline_cache(store, TRY(hooks.image(name, "")), shared.cache_from));
    for (const auto& s : plan->stages) {
        shared.first_step.push_back(shared.steps);
        shared.steps += 1 + dockerfile.stages[s.index].instructions.size();
    }
    BuildResult result;
    result.image = TRY(build_stages(shared));
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
