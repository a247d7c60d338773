// The build graph of multi-stage Dockerfiles, checked against what BuildKit's dockerfile2llb
// resolves: stage references, the target's needed stages, the order and waves, and its errors
// word for word (convert.go, convert_runmount.go, validations.go and their tests).

#include "ferry/build/build_graph.hpp"

#include <gtest/gtest.h>

#include "parse_helpers.hpp"

namespace ferry::build {
namespace {

using test::parse_ok;

using Indexes = std::vector<size_t>;
using Strings = std::vector<std::string>;

// The plan of text; throws (failing the test) when it cannot be planned.
BuildPlan plan_of(std::string_view text, std::string_view target = "",
                  std::map<std::string, std::string> args = {}) {
    auto plan = plan_build(parse_ok(text), BuildArgs(std::move(args)), target);
    if (!plan) throw std::runtime_error("unexpected plan error: " + plan.error().message);
    return std::move(*plan);
}

// The error of planning text; throws when it plans.
PlanError error_of(std::string_view text, std::string_view target = "") {
    auto plan = plan_build(parse_ok(text), BuildArgs{}, target);
    if (plan) throw std::runtime_error("planned, but an error was expected");
    return plan.error();
}

Indexes indexes_of(const BuildPlan& plan) {
    Indexes out;
    for (const auto& stage : plan.stages)
        out.push_back(stage.index);
    return out;
}

TEST(BuildGraph, SingleStage) {
    BuildPlan plan = plan_of("FROM alpine:3.20\nRUN true\n");
    EXPECT_EQ(plan.target, 0u);
    ASSERT_EQ(plan.stages.size(), 1u);
    EXPECT_EQ(plan.stages[0].name, "stage-0");
    EXPECT_EQ(plan.stages[0].base, "alpine:3.20");
    EXPECT_FALSE(plan.stages[0].base_stage);
    EXPECT_EQ(plan.stages[0].images, Strings{"alpine:3.20"});
    EXPECT_EQ(plan.waves, std::vector<Indexes>{{0}});
    EXPECT_EQ(plan.images(), Strings{"alpine:3.20"});
}

TEST(BuildGraph, ScratchIsNoImage) {
    BuildPlan plan = plan_of("FROM scratch\nCOPY --from=scratch /a /b\n");
    EXPECT_TRUE(plan.images().empty());
    ASSERT_EQ(plan.stages[0].sources.size(), 1u);
    EXPECT_EQ(plan.stages[0].sources[0].kind, SourceKind::Scratch);
    EXPECT_TRUE(plan.stages[0].deps.empty());
}

TEST(BuildGraph, BuilderAndRuntime) {
    BuildPlan plan = plan_of(
        "FROM golang:1.22 AS builder\n"
        "RUN go build -o /out/app\n"
        "FROM alpine:3.20\n"
        "COPY --from=builder /out/app /app\n");
    EXPECT_EQ(plan.target, 1u);
    EXPECT_EQ(indexes_of(plan), (Indexes{0, 1}));
    EXPECT_EQ(plan.stages[0].name, "builder");
    EXPECT_EQ(plan.stages[1].name, "stage-1");
    EXPECT_EQ(plan.stages[1].deps, Indexes{0});
    ASSERT_EQ(plan.stages[1].sources.size(), 1u);
    const SourceRef& ref = plan.stages[1].sources[0];
    EXPECT_EQ(ref.kind, SourceKind::Stage);
    EXPECT_EQ(ref.stage, 0u);
    EXPECT_EQ(ref.instruction, 0u);
    EXPECT_EQ(ref.line, 4);
    EXPECT_EQ(plan.stages[1].images, Strings{"alpine:3.20"});
    EXPECT_EQ(plan.waves, (std::vector<Indexes>{{0}, {1}}));
    EXPECT_EQ(plan.images(), (Strings{"golang:1.22", "alpine:3.20"}));
}

constexpr std::string_view k_chain =
    "FROM alpine AS base\n"
    "RUN apk add gcc\n"
    "FROM base AS test\n"
    "RUN make test\n"
    "FROM base AS build\n"
    "COPY --from=debian:12 /etc/os-release /\n"
    "FROM build AS release\n"
    "COPY --from=test /report /\n";

TEST(BuildGraph, TargetKeepsOnlyTheStagesItNeeds) {
    BuildPlan plan = plan_of(k_chain, "build");
    EXPECT_EQ(plan.target, 2u);
    EXPECT_EQ(indexes_of(plan), (Indexes{0, 2}));
    EXPECT_EQ(plan.find(1), nullptr);
    EXPECT_EQ(plan.find(3), nullptr);
    ASSERT_NE(plan.find(2), nullptr);
    EXPECT_EQ(plan.find(2)->base_stage, 0u);
    EXPECT_EQ(plan.find(2)->deps, Indexes{0});
    EXPECT_EQ(plan.find(2)->images, Strings{"debian:12"});
    EXPECT_EQ(plan.waves, (std::vector<Indexes>{{0}, {2}}));
    EXPECT_EQ(plan.images(), (Strings{"alpine", "debian:12"}));
}

TEST(BuildGraph, DefaultTargetIsTheLastStage) {
    BuildPlan plan = plan_of(k_chain);
    EXPECT_EQ(plan.target, 3u);
    EXPECT_EQ(indexes_of(plan), (Indexes{0, 1, 2, 3}));
    EXPECT_EQ(plan.find(3)->deps, (Indexes{1, 2}));
    EXPECT_EQ(plan.waves, (std::vector<Indexes>{{0}, {1, 2}, {3}}));
}

TEST(BuildGraph, IndependentStagesShareAWave) {
    BuildPlan plan = plan_of(
        "FROM alpine AS a\n"
        "RUN echo a > /a\n"
        "FROM debian AS b\n"
        "RUN echo b > /b\n"
        "FROM alpine AS unused\n"
        "FROM scratch\n"
        "COPY --from=a /a /a\n"
        "COPY --from=b /b /b\n");
    EXPECT_EQ(indexes_of(plan), (Indexes{0, 1, 3}));
    EXPECT_EQ(plan.waves, (std::vector<Indexes>{{0, 1}, {3}}));
    EXPECT_TRUE(plan.find(3)->images.empty());
    EXPECT_EQ(plan.images(), (Strings{"alpine", "debian"}));
}

TEST(BuildGraph, FromVariableNamesAStage) {
    constexpr std::string_view text =
        "ARG BASE=builder\n"
        "FROM alpine AS builder\n"
        "RUN touch /x\n"
        "FROM ${BASE}\n";
    BuildPlan plan = plan_of(text);
    EXPECT_EQ(plan.stages.back().base, "builder");
    EXPECT_EQ(plan.stages.back().base_stage, 0u);
    EXPECT_EQ(plan.waves, (std::vector<Indexes>{{0}, {1}}));
    EXPECT_EQ(plan.images(), Strings{"alpine"});

    // A --build-arg makes it an image, and the builder is no longer needed.
    BuildPlan other = plan_of(text, "", {{"BASE", "ubuntu:24.04"}});
    EXPECT_EQ(indexes_of(other), Indexes{1});
    EXPECT_FALSE(other.stages[0].base_stage);
    EXPECT_EQ(other.images(), Strings{"ubuntu:24.04"});
    EXPECT_EQ(other.global_values.at("BASE"), "ubuntu:24.04");
}

TEST(BuildGraph, FromNamesOnlyEarlierStages) {
    // A later stage's name, or the stage's own, is an image to FROM (BuildKit's addState binds
    // only names already added).
    BuildPlan plan = plan_of(
        "FROM later AS first\n"
        "FROM alpine AS later\n"
        "FROM self AS self\n",
        "first");
    EXPECT_EQ(indexes_of(plan), Indexes{0});
    EXPECT_EQ(plan.images(), Strings{"later"});
    EXPECT_EQ(plan_of("FROM self AS self\n").images(), Strings{"self"});
}

TEST(BuildGraph, CopyFromIndexAndImage) {
    BuildPlan plan = plan_of(
        "FROM alpine\n"
        "RUN touch /a\n"
        "FROM busybox AS two\n"
        "COPY --from=0 /a /a\n"
        "COPY --from=nginx:1.27 /etc/nginx /etc/nginx\n"
        "COPY --from=+0 /a /b\n");
    const PlannedStage& two = plan.stages.back();
    ASSERT_EQ(two.sources.size(), 3u);
    EXPECT_EQ(two.sources[0].kind, SourceKind::Stage);
    EXPECT_EQ(two.sources[0].stage, 0u);
    EXPECT_EQ(two.sources[1].kind, SourceKind::Image);
    EXPECT_EQ(two.sources[1].written, "nginx:1.27");
    EXPECT_EQ(two.sources[2].kind, SourceKind::Stage);
    EXPECT_EQ(two.deps, Indexes{0});
    EXPECT_EQ(two.images, (Strings{"busybox", "nginx:1.27"}));
    EXPECT_EQ(plan.waves, (std::vector<Indexes>{{0}, {1}}));
}

TEST(BuildGraph, IndexPastTheStagesNamesAnOutsideSource) {
    // BuildKit appends each outside source to its state list, so index 2 of a two-stage file is
    // the first image referenced.
    BuildPlan plan = plan_of(
        "FROM alpine\n"
        "COPY --from=nginx /a /a\n"
        "FROM alpine\n"
        "COPY --from=2 /b /b\n");
    const PlannedStage& last = plan.stages.back();
    ASSERT_EQ(last.sources.size(), 1u);
    EXPECT_EQ(last.sources[0].kind, SourceKind::Image);
    EXPECT_EQ(last.sources[0].written, "nginx");
    EXPECT_EQ(indexes_of(plan), Indexes{1});
}

TEST(BuildGraph, InvalidStageIndex) {
    EXPECT_EQ(error_of("FROM alpine\nFROM alpine\nCOPY --from=2 /a /a\n").message,
              "invalid stage index 2");
    EXPECT_EQ(error_of("FROM alpine\nCOPY --from=-1 /a /a\n").message, "invalid stage index -1");
}

TEST(BuildGraph, UnknownTarget) {
    constexpr std::string_view text = "FROM alpine AS builder\nFROM scratch\n";
    PlanError e = error_of(text, "nope");
    EXPECT_EQ(e.message, "target stage \"nope\" could not be found");
    EXPECT_EQ(e.line, 0);
    EXPECT_EQ(e.to_error().exit_code, k_exit_error);
    EXPECT_EQ(error_of(text, "buidler").message,
              "target stage \"buidler\" could not be found (did you mean builder?)");
}

TEST(BuildGraph, CircularDependency) {
    // BuildKit's TestDockerfileCircularDependencies.
    PlanError self = error_of("FROM busybox AS stage0\nCOPY --from=stage0 f1 /sub/\n");
    EXPECT_EQ(self.message, "circular dependency detected on stage: stage0");
    EXPECT_EQ(self.line, 2);
    PlanError three = error_of(
        "FROM busybox AS stage0\n"
        "COPY --from=stage2 f1 /sub/\n"
        "FROM busybox AS stage1\n"
        "COPY --from=stage0 f2 /sub/\n"
        "FROM busybox AS stage2\n"
        "COPY --from=stage1 f2 /sub/\n");
    EXPECT_EQ(three.message, "circular dependency detected on stage: stage0");
    EXPECT_EQ(three.line, 2);
    // Unnamed stages go by stage-N; an unneeded stage's cycle still fails the build.
    EXPECT_EQ(error_of("FROM alpine\nCOPY --from=0 /a /a\nFROM alpine AS t\n", "t").message,
              "circular dependency detected on stage: stage-0");
}

TEST(BuildGraph, ForwardReference) {
    PlanError copy = error_of(
        "FROM alpine AS a\n"
        "COPY --from=B /x /x\n"
        "FROM alpine AS b\n",
        "a");
    EXPECT_EQ(copy.message,
              "cannot copy from stage \"B\", it needs to be defined before current stage \"a\"");
    EXPECT_EQ(copy.line, 2);

    PlanError mount = error_of(
        "FROM alpine AS a\n"
        "RUN --mount=type=bind,from=b,target=/m true\n"
        "FROM alpine AS b\n",
        "a");
    EXPECT_EQ(mount.message,
              "cannot mount from stage \"b\" to \"/m\", stage needs to be defined before current "
              "command");
    EXPECT_EQ(mount.line, 2);

    // A cycle through FROM is not a circular dependency to BuildKit, but the copy fails.
    EXPECT_EQ(error_of("FROM alpine AS a\nCOPY --from=b /x /x\nFROM a AS b\n").message,
              "cannot copy from stage \"b\", it needs to be defined before current stage \"a\"");

    // A stage the target does not need is never dispatched, so its forward copy is harmless.
    BuildPlan plan = plan_of(
        "FROM alpine AS a\n"
        "COPY --from=b /x /x\n"
        "FROM alpine AS b\n",
        "b");
    EXPECT_EQ(indexes_of(plan), Indexes{1});
}

TEST(BuildGraph, RunMountFrom) {
    BuildPlan plan = plan_of(
        "FROM alpine AS deps\n"
        "FROM alpine\n"
        "RUN --mount=type=cache,target=/root/.cache "
        "--mount=type=bind,FROM=DEPS,source=/x,target=/y "
        "--mount=from=tools:1,target=/t make\n");
    const PlannedStage& last = plan.stages.back();
    ASSERT_EQ(last.sources.size(), 2u);
    EXPECT_EQ(last.sources[0].kind, SourceKind::Stage);
    EXPECT_EQ(last.sources[0].mount, 1u);
    EXPECT_EQ(last.sources[1].kind, SourceKind::Image);
    EXPECT_EQ(last.sources[1].written, "tools:1");
    EXPECT_EQ(last.deps, Indexes{0});
    EXPECT_EQ(last.images, (Strings{"alpine", "tools:1"}));
}

TEST(BuildGraph, StageNamesIgnoreCaseExceptInFrom) {
    BuildPlan plan = plan_of(
        "FROM alpine AS Builder\n"
        "FROM scratch AS Final\n"
        "COPY --from=BUILDER /a /a\n",
        "FINAL");
    EXPECT_EQ(plan.target, 1u);
    EXPECT_EQ(plan.stages[0].name, "builder");
    EXPECT_EQ(plan.find(1)->deps, Indexes{0});
    EXPECT_EQ(plan_of("FROM alpine AS Builder\nFROM scratch\n", "bUiLdEr").target, 0u);

    // FROM looks the expanded name up as written among lower-case names: an image.
    BuildPlan from = plan_of("FROM alpine AS builder\nFROM Builder\n");
    EXPECT_FALSE(from.stages.back().base_stage);
    EXPECT_EQ(indexes_of(from), Indexes{1});
    EXPECT_EQ(from.images(), Strings{"Builder"});
}

TEST(BuildGraph, CopyFromTakesNoVariable) {
    constexpr std::string_view k_words =
        "variable expansion is not supported for --from, define a new stage with FROM using ARG "
        "from global scope as a workaround";
    EXPECT_EQ(error_of("FROM alpine\nCOPY --from=$X /a /a\n").message, k_words);
    EXPECT_EQ(error_of("FROM alpine\nCOPY --from=${X:-a} /a /a\n").message, k_words);
}

TEST(BuildGraph, FromErrorsCarryTheLine) {
    PlanError e = error_of("FROM alpine\nFROM ${NOPE}\n");
    EXPECT_EQ(e.message, "base name (${NOPE}) should not be blank");
    EXPECT_EQ(e.line, 2);
}

}  // namespace
}  // namespace ferry::build
