// See executor.hpp. Each stage the plan needs is built by a StageBuilder (stage_builder.hpp) in
// a thread of its own once the stages it needs are built; the output is kept in plan order
// (ordered_output). Output follows docker's classic builder: `Step N/M : <instruction>`,
// ` ---> Running in <container>` and the RUN's own output, ` ---> Using cache`, ` ---> <image>`
// after each step that made an image, then `Successfully built` and `Successfully tagged`.
// Steps that only change the config print their Step line alone: ferry makes no image for them
// (BuildKit's way; the classic builder committed one per instruction).

#include "ferry/build/executor.hpp"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "ferry/build/stage_builder.hpp"
#include "ferry/image/lookup.hpp"
#include "ferry/oci/image_config.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::build {

namespace {

// Adds the inline cache of image id (built by ferry, here or elsewhere) to cache: each step's
// key with the first layers of the image that were its result. An image without one adds
// nothing (as BuildKit, which then just finds no cache in it).
Result<void> read_inline_cache(image::Store& store, const std::string& id,
                               std::map<std::string, std::vector<Digest>>& cache) {
    ImageConfig config =
        TRY_CTX("image " + image::short_id(id), parse_image_config(TRY(store.read_blob(id))));
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
    if (!unused.empty() && !shared.request.quiet)
        shared.hooks.print(unconsumed_warning(unused) + "\n");
    return shared.results[shared.plan.target].image;
}

}  // namespace

Result<BuildResult> run_build(image::Store& store, const Dockerfile& dockerfile,
                              const BuildContext& context, const BuildRequest& request,
                              const BuildHooks& hooks) {
    auto plan = plan_build(dockerfile, request.args, request.target);
    if (!plan) return std::unexpected(plan.error().to_error());
    Shared shared{store,
                  dockerfile,
                  context,
                  request,
                  hooks,
                  *plan,
                  OrderedOutput(plan->stages.size(), hooks.print),
                  {},
                  {},
                  0,
                  {},
                  {}};
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
