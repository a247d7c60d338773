#pragma once
// Variable expansion and word splitting as BuildKit's Dockerfile shell lexer (frontend/
// dockerfile/shell) does it for the instructions that take it: $VAR and ${VAR}, the modifiers
// ${VAR:-word} ${VAR-word} ${VAR:+word} ${VAR+word} ${VAR:?msg} ${VAR?msg}, the pattern forms
// ${VAR#pat} ${VAR##pat} ${VAR%pat} ${VAR%%pat} ${VAR/pat/repl} ${VAR//pat/repl}, single quotes
// (literal), double quotes (only $ expands), and the Dockerfile's escape character. Unknown
// variables expand to "". Which instructions expand, and with which variables, is the caller's
// business (BuildKit: ADD COPY ENV EXPOSE FROM LABEL STOPSIGNAL USER VOLUME WORKDIR ONBUILD, and
// ARG values and RUN --mount fields).

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/util/result.hpp"

namespace ferry::build {

// The variables visible to one expansion, name to value (ENV and ARG already applied in order).
using ShellEnv = std::map<std::string, std::string, std::less<>>;

// How the lexer treats quotes, escapes and unset variables (BuildKit's Lex fields).
struct ShellOptions {
    char escape = '\\';        // the Dockerfile's escape character: '\\' or '`'
    bool raw_quotes = false;   // keep the quote characters in the result
    bool raw_escapes = false;  // keep escape characters in the result
    bool skip_quotes = false;  // treat quotes as ordinary characters
    bool skip_unset = false;   // leave references to unset variables as written ("$X", "${X:-y}")
};

// One expansion: the text as one word (spaces kept), the same split into words after expansion
// (unquoted spaces separate words, including spaces that came out of a variable), and which
// variable names were looked up and found or not.
struct Expansion {
    std::string word;
    std::vector<std::string> words;
    std::set<std::string> matched;
    std::set<std::string> unmatched;
};

// Expands text. Fails with BuildKit's words, prefixed `failed to process "TEXT": `: `syntax
// error: missing '}'`, `syntax error: bad substitution`, `unsupported modifier (:=) in
// substitution`, `X: is not allowed to be unset`, `X: is not allowed to be empty` (or the
// message after ? / :?), `unexpected end of statement while looking for matching
// double-quote`, `invalid pattern (\x) in substitution: invalid escape '\x'`.
Result<Expansion> expand_shell(std::string_view text, const ShellEnv& env,
                               const ShellOptions& options = {});

// BuildKit's ProcessWord: text expanded into one word (ENV values, WORKDIR, COPY sources, ...).
// Fails as expand_shell.
Result<std::string> process_word(std::string_view text, const ShellEnv& env, char escape = '\\');

// BuildKit's ProcessWords: text expanded and split into words (EXPOSE). An empty quoted word
// ("") yields no word, as in BuildKit. Fails as expand_shell.
Result<std::vector<std::string>> process_words(std::string_view text, const ShellEnv& env,
                                               char escape = '\\');

}  // namespace ferry::build
