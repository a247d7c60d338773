#pragma once
// A Dockerfile parsed as BuildKit parses it (frontend/dockerfile/parser and instructions):
// parser directives, comments, line continuations with the escape character, here-documents,
// then each instruction typed (instructions.hpp) and grouped into stages. Nothing is expanded
// or resolved here: stage references (FROM other, COPY --from), ARG/ENV substitution and the
// build itself are the caller's.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/build/instructions.hpp"
#include "ferry/util/result.hpp"

namespace ferry::build {

// Why a Dockerfile was refused, with BuildKit's words and the lines it points at (BuildKit's
// parser never records a column, so neither do we).
struct ParseError {
    std::string message;  // BuildKit's words: "unknown instruction: FOO (did you mean FROM?)"
    int line = 0;         // 1-based first line of the offending text; 0 when none
    int end_line = 0;     // last line of the offending text (== line when one line)
    bool in_instruction = false;  // raised while typing an instruction: BuildKit's error text
                                  // then starts "dockerfile parse error on line N: "

    // The error as BuildKit's err.Error() reads.
    std::string text() const;
    // As a ferry Error (exit status 1, as `docker build` on a bad Dockerfile).
    Error to_error() const;
};

// A build check finding the parser makes on its way (BuildKit's lint rules).
struct ParseWarning {
    std::string rule;     // "NoEmptyContinuation", "MaintainerDeprecated"
    std::string message;  // "Empty continuation line"
    int line = 0;
};

// One build stage: a FROM and the instructions up to the next FROM.
struct Stage {
    SourceInfo source;     // the FROM instruction
    std::string base;      // the image or stage name, as written (may hold $VARIABLES)
    std::string name;      // `AS name`, lower-cased; "" when unnamed
    std::string platform;  // --platform as written; "" when not given
    std::vector<Instruction> instructions;
};

// A parsed Dockerfile.
struct Dockerfile {
    std::optional<std::string> syntax;  // `# syntax=` value (ferry builds it with its own frontend)
    std::optional<std::string> check;   // `# check=` value
    char escape = '\\';                 // the escape character in force
    std::vector<ArgInstruction> global_args;  // ARGs before the first FROM
    std::vector<Stage> stages;
    std::vector<ParseWarning> warnings;
};

// Parses a Dockerfile's text. Fails with BuildKit's words and the line, e.g. `unknown
// instruction: FOO`, `FROM requires either one or three arguments`, `ENV names can not be blank`,
// `unknown flag: --x`, `unterminated heredoc`, `file with no instructions`, `no build stage in
// current context`, `dockerfile contains no stages to build`.
std::expected<Dockerfile, ParseError> parse_dockerfile(std::string_view text);

// The index of the stage named name (case-insensitive, as BuildKit), or nullopt.
std::optional<size_t> find_stage(const Dockerfile& dockerfile, std::string_view name);

}  // namespace ferry::build
