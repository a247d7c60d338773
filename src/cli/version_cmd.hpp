#pragma once
// `ferry version`.

#include <nlohmann/json.hpp>

#include "ferry/cli/command.hpp"

namespace ferry::cli {

struct VersionOptions : BaseOptions {
    std::string format;  // -f: a Go template, or "json" for {{json .}}
};

// Parses `ferry version` arguments.
Result<VersionOptions> parse_version(Args args);
// docker's `version` document: {"Client":{...},"Server":{...}}, ferry in both.
nlohmann::ordered_json version_document();
// Prints the version report.
Result<int> run_version(const VersionOptions& options, Context& ctx);
// Entry point for the command table.
Result<int> cmd_version(Args args, Context& ctx);

}  // namespace ferry::cli
