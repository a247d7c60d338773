#pragma once
// The builder of one stage of `ferry build` (build/executor runs one per planned stage, each in
// a thread of its own) and what the stages of a build share. Internal to src/build: the
// methods live in stage_builder.cpp (stages, steps, the cache), stage_copy.cpp (COPY, ADD,
// WORKDIR) and stage_run.cpp (RUN and its mounts).

#include <atomic>
#include <cerrno>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/build/build_graph.hpp"
#include "ferry/build/copy_op.hpp"
#include "ferry/build/executor.hpp"
#include "ferry/build/ordered_output.hpp"
#include "ferry/image/store.hpp"
#include "ferry/runtime/layer_view.hpp"
#include "ferry/util/fs.hpp"

namespace ferry::build {

inline constexpr std::string_view k_history_comment = "buildkit.dockerfile.v0";

// An error pointing at an instruction's line, as the planner's.
inline Error at_line(const SourceInfo& source, std::string message, int code = k_exit_error) {
    return Error{"dockerfile:" + std::to_string(source.line) + ": " + std::move(message), 0, code};
}

// The text a Step line shows: the instruction as written, on one line.
inline std::string step_text(const SourceInfo& source) {
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
inline constexpr const char* k_inline_cache = "ferry.build.cache.v1";

// The error of a stage that stopped because another failed (not reported).
inline constexpr int k_stopped = ECANCELED;

// Builds one planned stage, at the same time as the stages that do not depend on it.
class StageBuilder {
  public:
    StageBuilder(Shared& shared, size_t position)
        : m_shared(shared),
          m_store(shared.store),
          m_file(shared.file),
          m_context(shared.context),
          m_request(shared.request),
          m_hooks(shared.hooks),
          m_plan(shared.plan),
          m_position(position),
          m_planned(shared.plan.stages[position]),
          m_step(shared.first_step[position]) {}

    // Builds the stage from its FROM to its last step; its result goes to m_shared.results.
    Result<void> build();

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
    Result<PinnedView> view_of(const std::string& id) const;

    // The base image's ONBUILD triggers, run as part of FROM's step (the classic builder's `#
    // Executing N build triggers`). Each is parsed as a one-instruction Dockerfile; an error
    // points at the FROM line.
    Result<void> run_triggers(const SourceInfo& from, const std::vector<std::string>& triggers);

    // One instruction; trigger_of: the FROM whose base image's ONBUILD trigger this is (it then
    // prints no Step line of its own and its errors point at the FROM).
    Result<void> step(const Instruction& instruction, size_t index,
                      std::optional<SourceInfo> trigger_of = std::nullopt);

    // The cache key of a step: the key of the step before it (the base image's ID for the
    // first), the history written since, and op. Keys so depend only on the base image and
    // what the steps did, not on when the images between were made: they hold on another
    // machine, which --cache-from relies on.
    std::string step_key(const std::string& op) const;

    // Takes the image recorded for key, if the cache may be used and has one: the store's, or
    // one made from the layers of a --cache-from image whose steps included key.
    Result<bool> reuse(const std::string& key, bool say);

    // Makes the image recorded for key the stage's current one; false when there is none.
    Result<bool> adopt(const std::string& key, bool say);

    // Commits upper (-1: none) on the parent with the stage's config as the next image. The
    // commit runs where the layer's files show their owners (the store's user namespace, in a
    // child process when rootless), diff giving the directory's whiteout flavour and id maps as
    // seen from there; the result is then read back from the store by the step's key.
    // layers: the layers of the result when they come from a --cache-from image (upper is -1).
    Result<void> commit(int upper, const std::function<image::DiffOptions()>& diff,
                        const std::string& key, bool intermediate,
                        const std::vector<Digest>* layers = nullptr);

    // The unpacked layers of an image ("" for scratch: none), top first, for a view.
    Result<std::vector<std::string>> layers_of(const std::string& id) const;

    // The image COPY --from names: a built stage's, an outside image's (pulled when missing),
    // or none for scratch; with what stands for it in a cache key (a stage's last key, so that
    // the key does not depend on when the stage was built).
    struct FromImage {
        std::string id, chain;
    };
    // mount: the index of RUN's --mount (0 for COPY).
    Result<FromImage> from_image(const std::string& written, size_t mount = 0);

    // Runs fn on an empty layer directory, then commits what it wrote.
    Result<void> layer_step(const std::string& key,
                            const std::function<Result<void>(const runtime::LayerView&, int)>& fn);

    // COPY and ADD. Context sources are copied as they are, or unpacked by ADD when they are
    // archives; here-documents and ADD's URLs are first written into a directory of their own
    // (side_sources) and copied from there, URLs unpacked only with --unpack.
    struct CopyFlags {
        std::string from, chown, chmod, checksum;
        std::optional<bool> unpack;
        bool add = false;
        bool link = false;  // --link: the layer is made without looking at the image below
    };
    Result<void> copy_step(const SourcesAndDest& paths, const CopyFlags& flags);

    Result<void> workdir_step(const MakeWorkdir& dir);

    // RUN --mount: what each mount adds to the container and to the step's cache key. A cache
    // mount is a directory of the store kept between builds (by id, else by target); a bind
    // mount of the context binds it read-only (its content in the key), a read-write one or
    // one from another stage or image binds a copy (the source stage's key or image ID in the
    // key); a secret binds a file of its own or sets a variable (its content not in the key);
    // tmpfs is empty. The copies and secret files are made by the actions left in make, which
    // the step runs only when the cache missed.
    Result<void> plan_mounts(const std::vector<Mount>& mounts, RunStep& step, std::string& op,
                             StepFiles& files, std::vector<std::function<Result<void>()>>& make);

    // A secret's content as a file of its own for a bind mount, owned and moded as the mount
    // says (0400 and root by default, as BuildKit's), in the step's files.
    Result<std::string> secret_file(const std::string& content, const Mount& m, StepFiles& files);

    // A copy of a bind mount's source (another image's path, or the context's for rw) in the
    // step's files: copy writes the source into an empty directory as COPY would to /m/, made
    // where the copies' owners can be written (the store's user namespace). Returns the path
    // to bind: /m itself for a directory, the file in it otherwise.
    template <class Copy>
    Result<std::string> copy_for_mount(StepFiles& files, const ResolvedSource& source, Copy copy);

    // The mount points the runtime made for RUN --mount targets the image lacks are not part of
    // the step's result (BuildKit removes these stubs too): each such target and the parents
    // made for it go from the upper directory while they are empty.
    Result<void> remove_mount_stubs(int upper, const std::vector<runtime::MountRequest>& mounts);

    Result<void> run_step(const RunInstruction& run, RunProcess process,
                          const std::vector<Mount>& mounts);

    Shared& m_shared;
    image::Store& m_store;
    const Dockerfile& m_file;
    const BuildContext& m_context;
    const BuildRequest& m_request;
    const BuildHooks& m_hooks;
    const BuildPlan& m_plan;
    size_t m_position;              // in the plan
    const PlannedStage& m_planned;  // the stage being built
    size_t m_index = 0;             // the instruction being built, in its stage
    size_t m_step = 0;              // the number of the last Step line printed
    StageState m_state;
    std::string m_parent;  // the stage's current image ("" for scratch before its first step)
    std::string m_base;    // the image the stage started from
    std::string m_chain;   // the key of the last step (the base's ID, "scratch", or its stage's)
    size_t m_keyed = 0;    // history entries up to here are in m_parent's config
};

}  // namespace ferry::build
