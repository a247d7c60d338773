// The build graph, in the steps and the order of BuildKit's dockerfile2llb (convert.go), because
// the first failure is the one reported: (1) every FROM is expanded with the global ARGs and
// bound to the latest earlier stage of exactly that name (stage names are lower case, the
// lookup is not, so `FROM Builder` is an image); (2) the target is found; (3) every COPY --from
// and RUN --mount from= of every stage, needed or not, is resolved (toCommand: a stage index,
// else a stage name in any case anywhere in the file, else a source from outside, which BuildKit
// appends to its list of states, so a later index may name it); (4) the COPY/mount edges are
// checked for a cycle from each stage in file order (validateCircularDependency: FROM edges are
// not followed); (5) the stages reachable from the target are kept, and walking them in file
// order as BuildKit dispatches them, a reference to a stage not yet dispatched (a later one)
// fails. After (5) every dependency precedes its user, so file order is a build order, and each
// stage's wave is one past its deepest dependency's.

#include "ferry/build/build_graph.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "ferry/build/go_text.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::build {

namespace {

// A reference of one stage's instruction, before it is known whether the stage is needed.
struct Edge {
    SourceRef ref;
    std::string mount_target;  // RUN --mount's target as written, for the dispatch error
    bool is_copy = true;
};

// A stage once FROM and its references are resolved.
struct Node {
    std::string name;  // stageName: the AS name or "stage-N"
    ExpandedFrom from;
    std::optional<size_t> base_stage;
    std::vector<Edge> edges;
};

// BuildKit's state list beyond the stages: the outside sources toCommand appended, in order.
struct Resolver {
    const Dockerfile& df;
    std::vector<std::string> extra;  // each an image name or "scratch"
};

PlanError plan_error(Error e, int line) {
    return PlanError{std::move(e.message), line};
}

// strconv.Atoi: an optional sign and decimal digits that fit in an int64.
std::optional<int64_t> go_atoi(std::string_view s) {
    bool negative = false;
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
        negative = s[0] == '-';
        s.remove_prefix(1);
    }
    if (s.empty()) return std::nullopt;
    uint64_t v = 0;
    const uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        unsigned digit = static_cast<unsigned>(c - '0');
        if (v > (limit - digit) / 10) return std::nullopt;
        v = v * 10 + digit;
    }
    if (negative)
        return v == (uint64_t{1} << 63) ? std::numeric_limits<int64_t>::min()
                                        : -static_cast<int64_t>(v);
    return static_cast<int64_t>(v);
}

// A source that is not a stage: scratch or an image; appended to the state list as BuildKit does.
void resolve_outside(Resolver& r, SourceRef& ref) {
    ref.kind = ref.written == "scratch" ? SourceKind::Scratch : SourceKind::Image;
    r.extra.push_back(ref.written);
}

// COPY --from (toCommand): literal only, then a stage index, a stage name or an outside source.
Result<void> resolve_copy_from(Resolver& r, SourceRef& ref) {
    std::string expanded = TRY(process_word(ref.written, ShellEnv{}, r.df.escape));
    if (expanded != ref.written)
        return fail(
            "variable expansion is not supported for --from, define a new stage with "
            "FROM using ARG from global scope as a workaround");
    if (std::optional<int64_t> index = go_atoi(ref.written)) {
        size_t states = r.df.stages.size() + r.extra.size();
        if (*index < 0 || static_cast<uint64_t>(*index) >= states)
            return fail("invalid stage index " + std::to_string(*index));
        size_t i = static_cast<size_t>(*index);
        if (i < r.df.stages.size()) {
            ref.kind = SourceKind::Stage;
            ref.stage = i;
        } else {
            ref.kind = r.extra[i - r.df.stages.size()] == "scratch" ? SourceKind::Scratch
                                                                    : SourceKind::Image;
            ref.written = r.extra[i - r.df.stages.size()];
        }
        return {};
    }
    if (std::optional<size_t> stage = find_stage(r.df, ref.written)) {
        ref.kind = SourceKind::Stage;
        ref.stage = *stage;
        return {};
    }
    resolve_outside(r, ref);
    return {};
}

// The fields of a --mount value (csvvalue.Fields); the parser has already checked its syntax.
std::vector<std::string> mount_fields(std::string_view value) {
    std::vector<std::string> out;
    std::string field;
    bool quoted = false;
    bool field_start = true;
    for (size_t i = 0; i < value.size(); ++i) {
        char c = value[i];
        if (quoted) {
            if (c != '"') {
                field += c;
            } else if (i + 1 < value.size() && value[i + 1] == '"') {
                field += '"';
                ++i;
            } else {
                quoted = false;
            }
        } else if (c == ',') {
            out.push_back(std::move(field));
            field.clear();
            field_start = true;
            continue;
        } else if (c == '"' && field_start) {
            quoted = true;
        } else {
            field += c;
        }
        field_start = false;
    }
    out.push_back(std::move(field));
    return out;
}

// A RUN --mount's from= and target as written (the last of each, keys in any case, as
// BuildKit's parseMount keeps them before expansion).
std::pair<std::string, std::string> mount_from_and_target(std::string_view value) {
    std::string from, target;
    for (const std::string& field : mount_fields(value)) {
        size_t eq = field.find('=');
        if (eq == std::string::npos) continue;
        std::string key = to_lower(std::string_view(field).substr(0, eq));
        if (key == "from") from = field.substr(eq + 1);
        if (key == "target" || key == "dst" || key == "destination") target = field.substr(eq + 1);
    }
    return {from, target};
}

// The references of stage i's instructions (buildStageDependencyGraph for one stage).
Result<std::vector<Edge>> resolve_edges(Resolver& r, size_t i) {
    std::vector<Edge> edges;
    const auto& instructions = r.df.stages[i].instructions;
    for (size_t k = 0; k < instructions.size(); ++k) {
        if (const auto* copy = std::get_if<CopyInstruction>(&instructions[k])) {
            if (copy->from.empty()) continue;
            Edge e{SourceRef{k, 0, copy->from, SourceKind::Image, 0, copy->source.line}, "", true};
            TRY(resolve_copy_from(r, e.ref));
            edges.push_back(std::move(e));
        } else if (const auto* run = std::get_if<RunInstruction>(&instructions[k])) {
            for (size_t m = 0; m < run->mounts.size(); ++m) {
                auto [from, target] = mount_from_and_target(run->mounts[m]);
                if (from.empty()) {  // the build context (or nothing): BuildKit's scratch state
                    r.extra.emplace_back("scratch");
                    continue;
                }
                Edge e{SourceRef{k, m, from, SourceKind::Image, 0, run->source.line}, target,
                       false};
                if (std::optional<size_t> stage = find_stage(r.df, from)) {
                    e.ref.kind = SourceKind::Stage;
                    e.ref.stage = *stage;
                } else {
                    resolve_outside(r, e.ref);
                }
                edges.push_back(std::move(e));
            }
        }
    }
    return edges;
}

// validateCircularDependency: from each stage in file order, a depth-first walk of the COPY and
// mount edges; the first stage from which a cycle is reachable is named, with the line of the
// first reference on the path. Edges are walked in instruction order, each stage once per
// target (BuildKit keeps the last instruction for a repeated target, in Go map order).
std::optional<PlanError> find_cycle(const std::vector<Node>& nodes) {
    std::vector<std::vector<std::pair<size_t, int>>> adjacent(nodes.size());
    for (size_t i = 0; i < nodes.size(); ++i) {
        std::map<size_t, int> last_line;
        for (const Edge& e : nodes[i].edges) {
            if (e.ref.kind != SourceKind::Stage) continue;
            if (!last_line.contains(e.ref.stage)) adjacent[i].emplace_back(e.ref.stage, 0);
            last_line[e.ref.stage] = e.ref.line;
        }
        for (auto& [to, line] : adjacent[i])
            line = last_line[to];
    }
    std::vector<bool> visited(nodes.size()), on_path(nodes.size());
    // The line of the first edge of a path that closes a cycle, or nullopt.
    auto visit = [&](auto& self, size_t s, int first_line) -> std::optional<int> {
        if (visited[s]) return std::nullopt;
        visited[s] = on_path[s] = true;
        for (auto [to, line] : adjacent[s]) {
            int first = first_line ? first_line : line;
            if (on_path[to]) return first;
            if (auto found = self(self, to, first)) return found;
        }
        on_path[s] = false;
        return std::nullopt;
    };
    for (size_t i = 0; i < nodes.size(); ++i)
        if (auto line = visit(visit, i, 0))
            return PlanError{"circular dependency detected on stage: " + nodes[i].name, *line};
    return std::nullopt;
}

// The stages the target needs: itself, its FROM stage and its references, transitively.
std::vector<bool> reachable_from(const std::vector<Node>& nodes, size_t target) {
    std::vector<bool> reached(nodes.size());
    std::vector<size_t> todo{target};
    while (!todo.empty()) {
        size_t s = todo.back();
        todo.pop_back();
        if (reached[s]) continue;
        reached[s] = true;
        if (nodes[s].base_stage) todo.push_back(*nodes[s].base_stage);
        for (const Edge& e : nodes[s].edges)
            if (e.ref.kind == SourceKind::Stage) todo.push_back(e.ref.stage);
    }
    return reached;
}

// BuildKit's dispatch-time check: a needed stage may only copy or mount from a stage dispatched
// before it, i.e. an earlier one.
std::optional<PlanError> check_order(const std::vector<Node>& nodes,
                                     const std::vector<bool>& needed) {
    for (size_t i = 0; i < nodes.size(); ++i) {
        if (!needed[i]) continue;
        for (const Edge& e : nodes[i].edges) {
            if (e.ref.kind != SourceKind::Stage || e.ref.stage < i) continue;
            std::string name = nodes.size() == 1 ? "" : nodes[i].name;
            if (e.is_copy)
                return PlanError{"cannot copy from stage " + go_quote(e.ref.written) +
                                     ", it needs to be defined before current stage " +
                                     go_quote(name),
                                 e.ref.line};
            return PlanError{"cannot mount from stage " + go_quote(e.ref.written) + " to " +
                                 go_quote(e.mount_target) +
                                 ", stage needs to be defined before current command",
                             e.ref.line};
        }
    }
    return std::nullopt;
}

void add_unique(std::vector<std::string>& list, const std::string& value) {
    if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

PlannedStage planned(const Node& node, size_t index) {
    PlannedStage p;
    p.index = index;
    p.name = node.name;
    p.base = node.from.base;
    p.platform = node.from.platform;
    p.base_stage = node.base_stage;
    std::set<size_t> deps;
    if (node.base_stage)
        deps.insert(*node.base_stage);
    else if (node.from.base != "scratch")
        add_unique(p.images, node.from.base);
    for (const Edge& e : node.edges) {
        p.sources.push_back(e.ref);
        if (e.ref.kind == SourceKind::Stage) deps.insert(e.ref.stage);
        if (e.ref.kind == SourceKind::Image) add_unique(p.images, e.ref.written);
    }
    p.deps.assign(deps.begin(), deps.end());
    return p;
}

// The stages of df with FROM expanded and bound (buildDispatchStates).
std::expected<std::vector<Node>, PlanError> expand_stages(const Dockerfile& df,
                                                          const ShellEnv& globals) {
    std::vector<Node> nodes;
    for (size_t i = 0; i < df.stages.size(); ++i) {
        const Stage& stage = df.stages[i];
        Node node;
        auto from = expand_from(stage, globals, df.escape);
        if (!from) return std::unexpected(plan_error(std::move(from).error(), stage.source.line));
        node.from = std::move(*from);
        node.name = stage.name.empty() ? "stage-" + std::to_string(i) : stage.name;
        for (size_t j = i; j-- > 0;) {
            if (!df.stages[j].name.empty() && df.stages[j].name == node.from.base) {
                node.base_stage = j;
                break;
            }
        }
        nodes.push_back(std::move(node));
    }
    return nodes;
}

// The stage --target names (resolveTarget); the last stage when target is "".
std::expected<size_t, PlanError> resolve_target(const Dockerfile& df,
                                                const std::vector<Node>& nodes,
                                                std::string_view target) {
    if (target.empty()) return df.stages.size() - 1;
    if (std::optional<size_t> found = find_stage(df, target)) return *found;
    std::vector<std::string_view> names;
    for (const Node& node : nodes)
        names.push_back(node.name);
    return std::unexpected(
        PlanError{with_suggestion("target stage " + go_quote(target) + " could not be found",
                                  target, names, true),
                  0});
}

}  // namespace

Error PlanError::to_error() const {
    return Error{message, 0, k_exit_error};
}

const PlannedStage* BuildPlan::find(size_t index) const {
    for (const PlannedStage& stage : stages)
        if (stage.index == index) return &stage;
    return nullptr;
}

std::vector<std::string> BuildPlan::images() const {
    std::vector<std::string> out;
    for (const PlannedStage& stage : stages)
        for (const std::string& image : stage.images)
            add_unique(out, image);
    return out;
}

std::expected<BuildPlan, PlanError> plan_build(const Dockerfile& dockerfile,
                                               const BuildArgs& build_args,
                                               std::string_view target) {
    if (dockerfile.stages.empty())
        return std::unexpected(PlanError{"dockerfile contains no stages to build", 0});
    BuildPlan plan;
    auto globals = global_arg_values(dockerfile.global_args, build_args, dockerfile.escape);
    if (!globals) return std::unexpected(plan_error(std::move(globals).error(), 0));
    plan.global_values = std::move(*globals);

    auto nodes = expand_stages(dockerfile, plan.global_values);
    if (!nodes) return std::unexpected(std::move(nodes).error());
    auto target_index = resolve_target(dockerfile, *nodes, target);
    if (!target_index) return std::unexpected(std::move(target_index).error());
    plan.target = *target_index;

    Resolver resolver{dockerfile, {}};
    for (size_t i = 0; i < nodes->size(); ++i) {
        auto edges = resolve_edges(resolver, i);
        if (!edges) return std::unexpected(plan_error(std::move(edges).error(), 0));
        (*nodes)[i].edges = std::move(*edges);
    }
    if (auto cycle = find_cycle(*nodes)) return std::unexpected(std::move(*cycle));

    std::vector<bool> needed = reachable_from(*nodes, plan.target);
    if (auto order = check_order(*nodes, needed)) return std::unexpected(std::move(*order));

    std::vector<size_t> wave_of(nodes->size(), 0);
    for (size_t i = 0; i < nodes->size(); ++i) {
        if (!needed[i]) continue;
        PlannedStage stage = planned((*nodes)[i], i);
        for (size_t dep : stage.deps)
            wave_of[i] = std::max(wave_of[i], wave_of[dep] + 1);
        if (plan.waves.size() <= wave_of[i]) plan.waves.resize(wave_of[i] + 1);
        plan.waves[wave_of[i]].push_back(i);
        plan.stages.push_back(std::move(stage));
    }
    return plan;
}

}  // namespace ferry::build
