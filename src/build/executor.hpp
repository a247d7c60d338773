#pragma once
// Builds a planned Dockerfile into images, step by step. Metadata instructions only change the
// stage's config (stage_config); RUN runs in a container on the step's parent image, COPY/ADD
// and WORKDIR write a layer directory directly (copy_op), and each step that makes a layer is
// committed as an intermediate image (image/commit's commit_layer) whose record carries the
// step's cache key. The key is a digest of the parent image, every history line written since
// it and what the step does (the process, its environment, the content of copied files), so a
// step is reused exactly when all of those are unchanged, across builds and names. What needs a
// command's surroundings (finding or pulling a base image, running a container with the
// terminal) comes in as hooks, so this side depends on no command.

#include <cerrno>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/build/build_graph.hpp"
#include "ferry/build/context.hpp"
#include "ferry/build/dockerfile.hpp"
#include "ferry/build/stage_config.hpp"
#include "ferry/image/layer_diff.hpp"
#include "ferry/image/store.hpp"
#include "ferry/runtime/container_plan.hpp"
#include "ferry/util/result.hpp"

namespace ferry::build {

// What the build command asked for.
struct BuildRequest {
    std::vector<std::string> tags;              // full references for the result
    BuildArgs args;                             // --build-arg and the platforms
    std::string target;                         // --target; "" for the last stage
    bool no_cache = false;                      // --no-cache
    std::vector<std::string> cache_from;        // --cache-from images (their inline cache)
    std::map<std::string, std::string> labels;  // --label, set on the result's config
    std::string network;                        // --network for RUN ("" for run's default)
    std::string gpus;                           // --gpus for RUN, as `run --gpus` ("" none)
    bool quiet = false;                         // -q: no step lines, no RUN output
    std::map<std::string, std::string> secrets;  // --secret: id to content (RUN --mount=type=secret)
};

// A RUN step for the hook that runs it.
struct RunStep {
    std::string image;   // the parent image ID
    RunProcess process;  // args, env, user, cwd
    std::string network;
    std::vector<runtime::MountRequest> mounts;  // RUN --mount: cache and context binds, tmpfs
    std::string gpus;                           // BuildRequest::gpus
    bool quiet = false;  // the process's output is not shown
    int output_fd = -1;  // >= 0: its stdout and stderr go to this file instead of the build's
};

// Commits the stopped container's upper directory (called by the run hook before it removes
// the container); diff gives the directory's diff options as seen from where the commit runs
// (the store's user namespace: BuildHooks::in_store).
using CommitUpper = std::function<Result<void>(
    int upper_fd, const std::function<image::DiffOptions()>& diff)>;

struct BuildHooks {
    // The image ID of an external base or --from image, pulled when missing.
    std::function<Result<std::string>(const std::string& name, const std::string& platform)>
        image;
    // Runs step in a container; when it exits 0, calls commit before the container goes.
    // Returns the process's exit status; the short container ID is passed to on_start.
    std::function<Result<int>(const RunStep& step, const CommitUpper& commit,
                              const std::function<void(const std::string& id)>& on_start)>
        run;
    // Runs fn where layer files can be written with any owner (the store's user namespace).
    std::function<Result<void>(const std::function<Result<void>()>& fn)> in_store;
    // Text of the build's progress for stdout, written as it is (lines end with '\n'). Called
    // from one thread at a time.
    std::function<void(std::string_view)> print;
    // Downloads an ADD source URL into a new file `name` (mode 0600) in the directory dir_fd;
    // returns the server's Last-Modified in ns since the epoch (0 when it sent none). Fails with
    // BuildKit's `invalid response status 404` or the transfer's error.
    std::function<Result<int64_t>(const std::string& url, int dir_fd, const std::string& name)>
        download;
    // Whether the build was interrupted (Ctrl-C): checked before each step; the build then
    // stops with `interrupted` (exit status 130), what it committed kept as cache.
    std::function<bool()> interrupted;
};

struct BuildResult {
    std::string image;  // sha256:<hex> of the target stage's image
};

// The sys_errno of the error of a RUN that exited non-zero (its exit_code is the status).
inline constexpr int k_step_failed = ECHILD;

// Builds dockerfile's target from context into store. Fails with the planner's and the
// instructions' errors (a failing RUN: `The command '/bin/sh -c false' returned a non-zero
// code: 1`, with that code as the exit status), leaving the steps already committed as cache.
Result<BuildResult> run_build(image::Store& store, const Dockerfile& dockerfile,
                              const BuildContext& context, const BuildRequest& request,
                              const BuildHooks& hooks);

}  // namespace ferry::build
