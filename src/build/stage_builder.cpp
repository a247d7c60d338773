// See stage_builder.hpp: a stage from its FROM to its last step, the steps, and the build cache
// (keys, reuse, commits).

#include "ferry/build/stage_builder.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "ferry/build/layer_ops.hpp"
#include "ferry/build/path_match.hpp"
#include "ferry/image/commit.hpp"
#include "ferry/image/lookup.hpp"
#include "ferry/oci/image_config.hpp"
#include "ferry/util/sha256.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::build {

Result<StageBuilder::PinnedView> StageBuilder::view_of(const std::string& id) const {
    FileLock pin = TRY(m_store.pin_layers());
    runtime::LayerView view = TRY(runtime::LayerView::open(TRY(layers_of(id))));
    return PinnedView{std::move(pin), std::move(view)};
}

Result<void> StageBuilder::build() {
    const PlannedStage& planned = m_planned;
    const Stage& stage = m_file.stages[planned.index];
    print_step(stage.source);
    std::vector<std::string> onbuild;
    if (planned.base_stage) {
        const StageResult& base = m_shared.results[*planned.base_stage];
        m_state = start_stage_from(base.state);
        m_parent = base.image;
        m_chain = base.chain;
    } else if (planned.base == "scratch") {
        StartedStage started = start_stage(scratch_config({}), m_plan.global_values, m_file.escape);
        m_state = std::move(started.state);
        m_parent.clear();
        m_chain = "scratch";
    } else {
        m_parent = TRY(m_hooks.image(planned.base, planned.platform));
        std::string text = TRY(m_store.read_blob(m_parent));
        ImageConfig config =
            TRY_CTX("image " + image::short_id(m_parent), parse_image_config(text));
        StartedStage started = start_stage(std::move(config), m_plan.global_values, m_file.escape);
        m_state = std::move(started.state);
        m_state.image.other.erase(k_inline_cache);  // the base's own steps are not ours
        onbuild = std::move(started.onbuild);
        m_chain = m_parent;
    }
    m_base = m_parent;
    m_keyed = m_state.image.history.size();
    print(" ---> " + (m_parent.empty() ? std::string("scratch") : image::short_id(m_parent)));
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

Result<void> StageBuilder::run_triggers(const SourceInfo& from,
                                        const std::vector<std::string>& triggers) {
    if (triggers.empty()) return {};
    print("# Executing " + std::to_string(triggers.size()) + " build trigger" +
          (triggers.size() == 1 ? "" : "s"));
    for (const auto& trigger : triggers) {
        auto parsed = parse_dockerfile("FROM scratch\n" + trigger + "\n");
        if (!parsed || parsed->stages.size() != 1 || parsed->stages[0].instructions.size() != 1)
            return std::unexpected(
                at_line(from, "invalid ONBUILD trigger of the base image: " + trigger));
        const Instruction& instruction = parsed->stages[0].instructions[0];
        auto* copy = std::get_if<CopyInstruction>(&instruction);
        bool uses_sources = copy && !copy->from.empty();
        if (auto* run = std::get_if<RunInstruction>(&instruction))
            for (const auto& m : run->mounts)
                uses_sources = uses_sources || m.find("from=") != std::string::npos;
        if (uses_sources)
            return std::unexpected(
                at_line(from, "ONBUILD trigger with --from is not supported: " + trigger));
        TRY(step(instruction, SIZE_MAX, from));
    }
    return {};
}

Result<void> StageBuilder::step(const Instruction& instruction, size_t index,
                                std::optional<SourceInfo> trigger_of) {
    if (interrupted()) return interruption();
    if (m_shared.stopped) return std::unexpected(Error{"stopped", k_stopped});
    m_index = index;
    const SourceInfo& source = trigger_of ? *trigger_of : source_of(instruction);
    if (!trigger_of) print_step(source);
    auto fail_here = [&](Error e) { return std::unexpected(at_line(source, e.message)); };
    if (auto* copy = std::get_if<CopyInstruction>(&instruction)) {
        if (!copy->excludes.empty()) return fail_here(Error{"COPY --exclude is not supported yet"});
        if (copy->parents) return fail_here(Error{"COPY --parents is not supported yet"});
        CopyFlags flags{copy->from, copy->chown, copy->chmod, "", std::nullopt, false, copy->link};
        if (auto r = copy_step(copy->paths, flags); !r) return fail_here(std::move(r.error()));
        return {};
    }
    if (auto* add = std::get_if<AddInstruction>(&instruction)) {
        if (!add->excludes.empty()) return fail_here(Error{"ADD --exclude is not supported yet"});
        CopyFlags flags{"", add->chown, add->chmod, add->checksum, add->unpack, true, add->link};
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

std::string StageBuilder::step_key(const std::string& op) const {
    std::string text = "ferry build step v2\n";
    text += m_chain;
    text += '\n';
    for (size_t i = m_keyed; i < m_state.image.history.size(); ++i)
        text += m_state.image.history[i].created_by + '\n';
    text += op;
    return sha256_hex(text);
}

Result<bool> StageBuilder::reuse(const std::string& key, bool say) {
    if (m_request.no_cache) return false;
    if (TRY(adopt(key, say))) return true;
    auto from = m_shared.cache_from.find(key);
    if (from == m_shared.cache_from.end()) return false;
    if (say) print(" ---> Using cache");
    TRY(commit(-1, nullptr, key, true, &from->second));
    return true;
}

Result<bool> StageBuilder::adopt(const std::string& key, bool say) {
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

Result<void> StageBuilder::commit(int upper, const std::function<image::DiffOptions()>& diff,
                                  const std::string& key, bool intermediate,
                                  const std::vector<Digest>* layers) {
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
    if (!TRY(adopt(key, false)))
        return fail("the image of step " + key.substr(0, 12) +
                    " is missing from the store after its commit");
    return {};
}

Result<std::vector<std::string>> StageBuilder::layers_of(const std::string& id) const {
    std::vector<std::string> dirs;
    if (id.empty()) return dirs;
    image::ImageCatalog catalog = TRY(m_store.read_images());
    const image::ImageRecord* rec = catalog.find_id(id);
    if (!rec) return fail("image " + id + " is missing from the store");
    for (auto it = rec->chain_ids.rbegin(); it != rec->chain_ids.rend(); ++it)
        dirs.push_back(m_store.layer_path(*it) + "/diff");
    return dirs;
}

Result<StageBuilder::FromImage> StageBuilder::from_image(const std::string& written, size_t mount) {
    for (const auto& ref : m_planned.sources) {
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

Result<void> StageBuilder::layer_step(
    const std::string& key, const std::function<Result<void>(const runtime::LayerView&, int)>& fn) {
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

}  // namespace ferry::build
