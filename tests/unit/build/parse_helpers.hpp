#pragma once
// Helpers for the Dockerfile tests: parse and insist on success or on failure. A wrong outcome
// throws, so a test stops there instead of reading an empty result.

#include <stdexcept>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "ferry/build/dockerfile.hpp"

namespace ferry::build::test {

// The parsed Dockerfile; throws (failing the test) when it does not parse.
inline Dockerfile parse_ok(std::string_view text) {
    auto r = parse_dockerfile(text);
    if (!r) throw std::runtime_error("unexpected parse error: " + r.error().text());
    return std::move(*r);
}

// The parse error; throws (failing the test) when the text parses.
inline ParseError parse_error_of(std::string_view text) {
    auto r = parse_dockerfile(text);
    if (r) throw std::runtime_error("parsed, but an error was expected: " + std::string(text));
    return r.error();
}

// The instructions of the only stage of "FROM base\n" + body.
inline std::vector<Instruction> instructions_of(std::string_view body) {
    Dockerfile df = parse_ok("FROM base\n" + std::string(body));
    if (df.stages.size() != 1) throw std::runtime_error("expected one stage");
    return std::move(df.stages[0].instructions);
}

// The one instruction of "FROM base\n" + line, as T.
template <class T>
T only(std::string_view line) {
    auto in = instructions_of(line);
    if (in.size() != 1 || !std::holds_alternative<T>(in[0]))
        throw std::runtime_error("expected one instruction of the asked type: " +
                                 std::string(line));
    return std::get<T>(std::move(in[0]));
}

// The error of "FROM base\n" + body.
inline ParseError error_of(std::string_view body) {
    return parse_error_of("FROM base\n" + std::string(body));
}

}  // namespace ferry::build::test
