#pragma once
// The build graph of a multi-stage Dockerfile, as BuildKit's dockerfile2llb resolves it before
// it dispatches anything: each FROM expanded with the global ARGs, every stage reference (FROM
// an earlier stage, COPY --from, RUN --mount from=) resolved to a stage, an external image or
// scratch, the target picked, the stages it needs (and only those) ordered dependencies first
// and grouped into waves that can build at the same time. Pure: no image is looked up and
// nothing is built; external image names are as written (normalizing them is the resolver's).

#include <cstddef>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/build/dockerfile.hpp"
#include "ferry/build/shell_words.hpp"
#include "ferry/build/stage_config.hpp"
#include "ferry/util/result.hpp"

namespace ferry::build {

// What a stage reference names.
enum class SourceKind {
    Stage,    // a stage of this Dockerfile
    Image,    // an image from outside the build
    Scratch,  // `scratch`: nothing
};

// One COPY --from or RUN --mount from= of a stage, resolved.
struct SourceRef {
    size_t instruction = 0;  // index in Stage::instructions
    size_t mount = 0;        // index of the --mount in RUN's mounts; 0 for COPY
    std::string written;     // the value as written: "builder", "1", "alpine:3.20"
    SourceKind kind = SourceKind::Image;
    size_t stage = 0;  // the stage index when kind is Stage
    int line = 0;      // the instruction's line
};

// A stage the build needs.
struct PlannedStage {
    size_t index = 0;                  // in Dockerfile::stages
    std::string name;                  // `AS name`, or BuildKit's "stage-N" when unnamed
    std::string base;                  // FROM's name, expanded with the global ARGs
    std::string platform;              // FROM --platform, expanded; "" when not given
    std::optional<size_t> base_stage;  // the earlier stage FROM names, if it names one
    std::vector<SourceRef> sources;    // COPY --from and RUN --mount from=, in order
    std::vector<size_t> deps;          // stage indexes needed first (base_stage and sources),
                                       // ascending, without repeats
    std::vector<std::string> images;   // external images needed (FROM's base unless a stage or
                                       // scratch, then COPY/mount images), first use first,
                                       // without repeats
};

// The stages a build target needs.
struct BuildPlan {
    size_t target = 0;                       // the stage index built last, whose image results
    ShellEnv global_values;                  // global_arg_values, for the stages' dispatch
    std::vector<PlannedStage> stages;        // the needed stages in Dockerfile order, which
                                             // puts every dependency before its user
    std::vector<std::vector<size_t>> waves;  // stage indexes: wave k holds the stages whose
                                             // dependencies are all in waves before k

    // The planned stage of Dockerfile stage index, or nullptr when the target does not need it.
    const PlannedStage* find(size_t index) const;
    // Every external image of the planned stages, first use first, without repeats.
    std::vector<std::string> images() const;
};

// Why a build could not be planned: BuildKit's words and the line it points at.
struct PlanError {
    std::string message;  // "target stage \"x\" could not be found"
    int line = 0;         // 1-based line of the offending instruction; 0 when BuildKit gives none

    // As a ferry Error (exit status 1, as `docker build` on a bad Dockerfile).
    Error to_error() const;
};

// Plans the build of target (a stage name, any case; "" for the last stage). Resolves as
// BuildKit: FROM names an earlier stage by its exact (lower-case) name, else an image; COPY
// --from takes a stage index (strconv.Atoi), else a stage name in any case anywhere in the file,
// else an image; RUN --mount from= takes a stage name, else an image. Fails with BuildKit's
// words, in its order: expand_from's errors (the FROM's line), `target stage "x" could not be
// found` (with "did you mean"), `variable expansion is not supported for --from, define a new
// stage with FROM using ARG from global scope as a workaround`, `invalid stage index N`,
// `circular dependency detected on stage: x` (the line of the first reference on the cycle),
// and for a needed stage that refers to a later one `cannot copy from stage "x", it needs to
// be defined before current stage "y"` or `cannot mount from stage "x" to "/t", stage needs to
// be defined before current command` (the instruction's line).
std::expected<BuildPlan, PlanError> plan_build(const Dockerfile& dockerfile,
                                               const BuildArgs& build_args,
                                               std::string_view target = "");

}  // namespace ferry::build
