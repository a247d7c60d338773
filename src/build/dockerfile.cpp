// The two layers of the Dockerfile parser put together, as BuildKit's dockerfile2llb does before
// it builds anything: the text becomes nodes (ast.cpp), each node a typed instruction
// (instructions.cpp); ARGs before the first FROM are the global ARGs, everything else goes to
// the stage the last FROM opened. Errors raised while typing an instruction carry BuildKit's
// "dockerfile parse error on line N" form; the rest are BuildKit's bare words.

#include "ferry/build/dockerfile.hpp"

#include "ferry/build/ast.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::build {

std::string ParseError::text() const {
    if (!in_instruction) return message;
    return "dockerfile parse error on line " + std::to_string(line) + ": " + message;
}

Error ParseError::to_error() const {
    return Error{text(), 0, k_exit_error};
}

std::expected<Dockerfile, ParseError> parse_dockerfile(std::string_view text) {
    auto ast = parse_ast(text);
    if (!ast) return std::unexpected(std::move(ast).error());
    Dockerfile df;
    df.syntax = ast->syntax;
    df.check = ast->check;
    df.escape = ast->escape;
    df.warnings = ast->warnings;
    for (const Node& n : ast->nodes) {
        auto located = [&](std::string message, bool in_instruction) {
            return std::unexpected(
                ParseError{std::move(message), n.line, n.end_line, in_instruction});
        };
        if (to_lower(n.keyword) == "from") {
            auto st = parse_from(n);
            if (!st) return located(st.error().message, true);
            df.stages.push_back(std::move(*st));
            continue;
        }
        auto inst = parse_instruction(n);
        if (!inst) return located(inst.error().message, true);
        if (std::holds_alternative<MaintainerInstruction>(*inst))
            df.warnings.push_back({"MaintainerDeprecated",
                                   "Maintainer instruction is deprecated in favor of using label",
                                   n.line});
        if (df.stages.empty()) {
            if (auto* arg = std::get_if<ArgInstruction>(&*inst)) {
                df.global_args.push_back(std::move(*arg));
                continue;
            }
            return located("no build stage in current context", false);
        }
        df.stages.back().instructions.push_back(std::move(*inst));
    }
    if (df.stages.empty())
        return std::unexpected(ParseError{"dockerfile contains no stages to build", 0, 0, false});
    return df;
}

std::optional<size_t> find_stage(const Dockerfile& dockerfile, std::string_view name) {
    std::string want = to_lower(name);
    for (size_t i = 0; i < dockerfile.stages.size(); ++i)
        if (dockerfile.stages[i].name == want) return i;
    return std::nullopt;
}

}  // namespace ferry::build
