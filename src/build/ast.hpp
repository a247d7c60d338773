#pragma once
// The untyped layer of the Dockerfile parser (BuildKit's parser package): the text becomes a
// list of nodes, one per instruction, each holding its keyword, flags, arguments split the way
// that keyword's line parser splits them, and its here-documents. Internal to build/; the typed
// layer (instructions.cpp) turns nodes into instructions.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/build/dockerfile.hpp"
#include "ferry/build/instructions.hpp"

namespace ferry::build {

// One instruction before typing (BuildKit's parser.Node, flattened).
struct Node {
    std::string keyword;             // as written
    std::string original;            // the joined line
    std::vector<std::string> flags;  // leading --flags, quotes and escapes removed
    std::vector<std::string> args;   // nodeArgs: for ENV/LABEL key, value, "=" or "" triples;
                                     // for ONBUILD the wrapped keyword first
    bool json = false;               // the arguments were a JSON string array
    std::vector<Heredoc> heredocs;
    int line = 0;
    int end_line = 0;
};

// The node list of a Dockerfile with the directives found before it.
struct Ast {
    std::vector<Node> nodes;
    std::optional<std::string> syntax;
    std::optional<std::string> check;
    char escape = '\\';
    std::vector<ParseWarning> warnings;
};

// Splits the text into nodes. Fails (never with in_instruction set) on a bad or repeated
// directive, a line parser's error, an unterminated heredoc, a line over 64 KiB, or no
// instruction at all.
std::expected<Ast, ParseError> parse_ast(std::string_view text);

// splitCommand + the keyword's line parser: a node from one joined line (no heredocs, no lines
// set). Fails with the line parser's words (`ENV must have two arguments`, ...).
Result<Node> node_from_line(std::string_view line, char escape);

// ParseInstruction for every keyword but FROM: the typed instruction. Fails with BuildKit's
// words (`unknown instruction: FOO (did you mean FROM?)`, `unknown flag: --x`, ...).
Result<Instruction> parse_instruction(const Node& node);

// FROM: a stage without instructions. Fails with `FROM requires either one or three arguments`,
// `invalid name for build stage: ...` or a flag error.
Result<Stage> parse_from(const Node& node);

// ParseHeredoc: the here-document a word such as `<<EOF`, `3<<-"EOF"` announces, nullopt when the
// word is not one. Fails when the delimiter does not lex (an open quote).
Result<std::optional<Heredoc>> heredoc_from_word(std::string_view word);

}  // namespace ferry::build
