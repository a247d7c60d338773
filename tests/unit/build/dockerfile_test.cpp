// The Dockerfile as BuildKit's parser reads it: directives, comments, continuation lines, line
// numbers, stages, and the file-level errors with their exact words and lines.

#include "ferry/build/dockerfile.hpp"

#include <gtest/gtest.h>

#include "parse_helpers.hpp"

namespace ferry::build {
namespace {

using test::parse_error_of;
using test::parse_ok;

TEST(Dockerfile, DirectivesAtTheTop) {
    Dockerfile df = parse_ok(
        "# syntax=docker/dockerfile:1\n"
        "# escape=`\n"
        "# check=skip=JSONArgsRecommended;error=true\n"
        "\n"
        "FROM microsoft/nanoserver\n"
        "COPY testfile.txt c:\\\n"
        "RUN dir c:\\\n");
    EXPECT_EQ(df.syntax, "docker/dockerfile:1");
    EXPECT_EQ(df.check, "skip=JSONArgsRecommended;error=true");
    EXPECT_EQ(df.escape, '`');
    ASSERT_EQ(df.stages.size(), 1u);
    ASSERT_EQ(df.stages[0].instructions.size(), 2u);  // `\` no longer continues a line
    auto& copy = std::get<CopyInstruction>(df.stages[0].instructions[0]);
    EXPECT_EQ(copy.paths.dest, "c:\\");
    EXPECT_EQ(std::get<RunInstruction>(df.stages[0].instructions[1]).command.args,
              (std::vector<std::string>{"dir c:\\"}));
}

TEST(Dockerfile, DirectiveForms) {
    // The reference's equivalent spellings: blanks anywhere but inside the key, any key case.
    for (const char* line :
         {"#escape=`", "# escape =`", "#\tescape= `", "# escape = `", "#\t  eScApE=`"}) {
        Dockerfile df = parse_ok(std::string(line) + "\nFROM a\nRUN x `\n  y\n");
        EXPECT_EQ(df.escape, '`') << line;
        EXPECT_EQ(std::get<RunInstruction>(df.stages[0].instructions[0]).command.args[0], "x   y");
    }
}

TEST(Dockerfile, DirectivesEndAtTheFirstOtherLine) {
    // After a comment, an empty line or an instruction, `# escape=` is only a comment.
    for (const char* prefix : {"# About my dockerfile\n", "\n", "# unknowndirective=value\n"}) {
        Dockerfile df = parse_ok(std::string(prefix) + "# escape=`\nFROM image\n");
        EXPECT_EQ(df.escape, '\\') << prefix;
    }
    Dockerfile df = parse_ok("FROM image\n# syntax=x\n");
    EXPECT_FALSE(df.syntax);
    // A directive with a blank value is no directive.
    EXPECT_EQ(parse_ok("# escape=\n# syntax=y\nFROM a\n").syntax, std::nullopt);
    // Directive lines may carry leading blanks (first lines are left-trimmed).
    EXPECT_EQ(parse_ok("   # syntax = docker/dockerfile:1.7  \nFROM a\n").syntax,
              "docker/dockerfile:1.7");
    // The escape directive is honoured even without a blank line after it.
    df = parse_ok("# escape = `\n# more comment\nFROM image\nENV GOPATH `\n\\go\n");
    EXPECT_EQ(std::get<EnvInstruction>(df.stages[0].instructions[0]).env[0].value, "\\go");
}

TEST(Dockerfile, DirectiveErrors) {
    ParseError e = parse_error_of("# syntax=a\n# syntax=b\nFROM x\n");
    EXPECT_EQ(e.message, "only one syntax parser directive can be used");
    EXPECT_EQ(e.line, 2);
    EXPECT_FALSE(e.in_instruction);
    EXPECT_EQ(e.text(), "only one syntax parser directive can be used");
    e = parse_error_of("# escape=x\nFROM a\n");
    EXPECT_EQ(e.message, "invalid escape token 'x' does not match ` or \\");
    EXPECT_EQ(e.line, 1);
    EXPECT_EQ(parse_error_of("# ESCAPE=`\n# escape=\\\nFROM a\n").message,
              "only one escape parser directive can be used");
}

TEST(Dockerfile, CommentsAndWhitespace) {
    Dockerfile df = parse_ok(
        "# Comment\n"
        "FROM base\n"
        "RUN echo 'we are running some # of cool things'\n"
        "        # this is a comment-line\n"
        "    RUN echo hello\n"
        "RUN echo world\n");
    auto& in = df.stages[0].instructions;
    ASSERT_EQ(in.size(), 3u);
    EXPECT_EQ(std::get<RunInstruction>(in[0]).command.args[0],
              "echo 'we are running some # of cool things'");
    EXPECT_EQ(std::get<RunInstruction>(in[1]).command.args[0], "echo hello");
    EXPECT_EQ(source_of(in[1]).line, 5);
}

TEST(Dockerfile, Continuations) {
    // The reference's examples, then BuildKit's continueIndent cases.
    Dockerfile df = parse_ok(
        "FROM ubuntu:14.04\n"
        "RUN echo hello \\\n"
        "# comment\n"
        "world\n"
        "RUN echo \"\\\n"
        "     hello\\\n"
        "     world\"\n"
        "RUN echo hello\\\n"
        "  world\\\n"
        "  goodnight  \\\n"
        "  moon\\\n"
        "  light\\\n"
        "ning\n"
        "RUN echo hello  \\  \n"
        "world\n"
        "RUN echo hi \\\n"
        " \\\n"
        " world \\\n"
        "\\\n"
        " good\\\n"
        "\\\n"
        "night\n"
        "RUN echo hello \\\n"
        "# this is a comment\n"
        "\n"
        "# this is a comment with a blank line surrounding it\n"
        "\n"
        "this is some more useful stuff\n");
    std::vector<std::string> runs;
    for (const auto& i : df.stages[0].instructions)
        runs.push_back(std::get<RunInstruction>(i).command.args[0]);
    EXPECT_EQ(runs, (std::vector<std::string>{
                        "echo hello world",
                        "echo \"     hello     world\"",
                        "echo hello  world  goodnight    moon  lightning",
                        "echo hello  world",
                        "echo hi   world  goodnight",
                        "echo hello this is some more useful stuff",
                    }));
    EXPECT_EQ(source_of(df.stages[0].instructions[5]).line, 23);
    EXPECT_EQ(source_of(df.stages[0].instructions[5]).end_line, 28);
    // Only the last instruction had empty lines inside its continuation.
    ASSERT_EQ(df.warnings.size(), 1u);
    EXPECT_EQ(df.warnings[0].rule, "NoEmptyContinuation");
    EXPECT_EQ(df.warnings[0].message, "Empty continuation line");
    EXPECT_EQ(df.warnings[0].line, 28);
}

TEST(Dockerfile, EscapedEscapeDoesNotContinue) {
    Dockerfile df = parse_ok(
        "FROM hello-world\n"
        "ENV B another\\\\path\n"
        "ENV C trailing\\\\backslash\\\\\n"
        "ENV D This should not be appended to C\n"
        "ENV E hello\\\n"
        "\\\n"
        "world\n"
        "ENV F hello\\\n"
        " \\\n"
        "world\n");
    auto& in = df.stages[0].instructions;
    ASSERT_EQ(in.size(), 5u);
    auto env = [&](size_t i) { return std::get<EnvInstruction>(in[i]).env[0]; };
    EXPECT_EQ(env(0).value, "another\\\\path");
    EXPECT_EQ(env(1).value, "trailing\\\\backslash\\\\");
    EXPECT_EQ(env(2).value, "This should not be appended to C");
    EXPECT_TRUE(env(2).no_delim);
    EXPECT_EQ(env(3).value, "helloworld");
    EXPECT_EQ(env(4).value, "hello world");
}

TEST(Dockerfile, ContinuationAtEndOfFile) {
    Dockerfile df = parse_ok("FROM alpine:3.5\n\nRUN something \\");
    EXPECT_EQ(std::get<RunInstruction>(df.stages[0].instructions[0]).command.args,
              (std::vector<std::string>{"something"}));
    // A lone escape at the end leaves an empty instruction, which BuildKit names "".
    ParseError e = parse_error_of("FROM a\n\\");
    EXPECT_EQ(e.message, "unknown instruction: ");
    EXPECT_EQ(e.line, 2);
}

TEST(Dockerfile, LineNumbers) {
    // BuildKit's testfile-line, shortened: blank lines, comments and continuations.
    Dockerfile df = parse_ok(
        "# ESCAPE=\\\n\n\n\n"
        "FROM brimstone/ubuntu:14.04\n\n\n"
        "# TORUN -v /var/run/docker.sock:/var/run/docker.sock\n\n\n"
        "ENV GOPATH \\\n"
        "/go\n\n\n\n"
        "# Install the packages we need\n"
        "RUN apt-get update \\\n"
        "\t&& dpkg -l \\\n\n\n"
        "    && apt-get clean \\\n\n"
        "\t&& rm -rf $GOPATH\n\n\n");
    EXPECT_EQ(df.stages[0].source.line, 5);
    EXPECT_EQ(df.stages[0].source.end_line, 5);
    auto& in = df.stages[0].instructions;
    EXPECT_EQ(source_of(in[0]).line, 11);
    EXPECT_EQ(source_of(in[0]).end_line, 12);
    EXPECT_EQ(source_of(in[1]).line, 17);
    EXPECT_EQ(source_of(in[1]).end_line, 23);
    EXPECT_EQ(source_of(in[1]).code,
              "RUN apt-get update \t&& dpkg -l     && apt-get clean \t&& rm -rf $GOPATH");
}

TEST(Dockerfile, OriginalText) {
    Dockerfile df = parse_ok("from  alpine AS Build \r\n  Run   echo   hi  \r\n");
    EXPECT_EQ(df.stages[0].source.keyword, "from");
    EXPECT_EQ(df.stages[0].source.code, "from  alpine AS Build");
    EXPECT_EQ(df.stages[0].name, "build");
    auto& run = std::get<RunInstruction>(df.stages[0].instructions[0]);
    EXPECT_EQ(run.source.keyword, "Run");
    EXPECT_EQ(run.source.code, "Run   echo   hi");
    EXPECT_EQ(run.command.args[0], "echo   hi");
    // A byte-order mark on the first line is dropped.
    EXPECT_EQ(parse_ok("\xEF\xBB\xBF"
                       "FROM a\n")
                  .stages[0]
                  .base,
              "a");
}

TEST(Dockerfile, Stages) {
    Dockerfile df = parse_ok(
        "ARG  CODE_VERSION=latest\n"
        "ARG OTHER\n"
        "FROM base:${CODE_VERSION}\n"
        "CMD  /code/run-app\n"
        "\n"
        "FROM --platform=$BUILDPLATFORM extras:${CODE_VERSION} AS Extras\n"
        "ARG CODE_VERSION\n"
        "CMD  /code/run-extras\n"
        "FROM extras as final.stage-1_x\n");
    ASSERT_EQ(df.global_args.size(), 2u);
    EXPECT_EQ(df.global_args[0].args[0].key, "CODE_VERSION");
    EXPECT_EQ(df.global_args[0].args[0].value, "latest");
    EXPECT_EQ(df.global_args[1].args[0].value, std::nullopt);
    ASSERT_EQ(df.stages.size(), 3u);
    EXPECT_EQ(df.stages[0].base, "base:${CODE_VERSION}");
    EXPECT_EQ(df.stages[0].name, "");
    EXPECT_EQ(df.stages[1].name, "extras");
    EXPECT_EQ(df.stages[1].platform, "$BUILDPLATFORM");
    EXPECT_EQ(df.stages[1].instructions.size(), 2u);
    EXPECT_TRUE(std::holds_alternative<ArgInstruction>(df.stages[1].instructions[0]));
    EXPECT_EQ(df.stages[2].name, "final.stage-1_x");
    EXPECT_EQ(find_stage(df, "EXTRAS"), 1u);
    EXPECT_EQ(find_stage(df, "build"), std::nullopt);
}

TEST(Dockerfile, StageErrors) {
    ParseError e = parse_error_of("FROM a AS 1st\n");
    EXPECT_EQ(e.message,
              "invalid name for build stage: \"1st\", name can't start with a number or contain "
              "symbols");
    EXPECT_EQ(e.text(),
              "dockerfile parse error on line 1: invalid name for build stage: \"1st\", name "
              "can't start with a number or contain symbols");
    EXPECT_EQ(parse_error_of("FROM a AS my/stage\n").message,
              "invalid name for build stage: \"my/stage\", name can't start with a number or "
              "contain symbols");
    EXPECT_EQ(parse_error_of("FROM\n").message, "FROM requires either one or three arguments");
    EXPECT_EQ(parse_error_of("FROM a b\n").message, "FROM requires either one or three arguments");
    EXPECT_EQ(parse_error_of("FROM a to b\n").message,
              "FROM requires either one or three arguments");
    EXPECT_EQ(parse_error_of("FROM --platfrom=x a\n").message,
              "unknown flag: --platfrom (did you mean platform?)");
    EXPECT_EQ(parse_error_of("FROM --plat=x a\n").message, "unknown flag: --plat");
    EXPECT_EQ(parse_error_of("FROM --platform a\n").message, "missing a value on flag: --platform");

    e = parse_error_of("ARG A\nRUN echo\nFROM a\n");
    EXPECT_EQ(e.message, "no build stage in current context");
    EXPECT_EQ(e.line, 2);
    EXPECT_FALSE(e.in_instruction);
    EXPECT_EQ(e.text(), "no build stage in current context");
    e = parse_error_of("ARG A\nARG B\n");
    EXPECT_EQ(e.message, "dockerfile contains no stages to build");
    EXPECT_EQ(e.line, 0);
}

TEST(Dockerfile, FileErrors) {
    ParseError e = parse_error_of("");
    EXPECT_EQ(e.message, "file with no instructions");
    EXPECT_EQ(e.line, 0);
    e = parse_error_of("# Hello\n# These are just comments\n\n");
    EXPECT_EQ(e.message, "file with no instructions");
    EXPECT_EQ(e.line, 3);
    e = parse_error_of("\n\t\tFROM image\n\t\tLABEL test=" + std::string(65536, 'a') + "\n");
    EXPECT_EQ(e.message, "dockerfile line greater than max allowed size of 65535");
    EXPECT_EQ(e.line, 2);
    // Just under the limit is fine.
    EXPECT_TRUE(parse_dockerfile("FROM a\nLABEL a=" + std::string(65535 - 8, 'a') + "\n"));
}

TEST(Dockerfile, UnknownInstruction) {
    ParseError e = parse_error_of("FROM a\n\nFOO bar\n");
    EXPECT_EQ(e.message, "unknown instruction: FOO (did you mean FROM?)");
    EXPECT_EQ(e.line, 3);
    EXPECT_TRUE(e.in_instruction);
    EXPECT_EQ(e.text(),
              "dockerfile parse error on line 3: unknown instruction: FOO (did you mean FROM?)");
    EXPECT_EQ(parse_error_of("FROM a\nfoo bar\n").message,
              "unknown instruction: foo (did you mean from?)");
    EXPECT_EQ(parse_error_of("FROM a\nFNTRYPOINT x\n").message,
              "unknown instruction: FNTRYPOINT (did you mean ENTRYPOINT?)");
    EXPECT_EQ(parse_error_of("FROM a\nBADCMD\n").message, "unknown instruction: BADCMD");
    EXPECT_EQ(parse_error_of("FROM a\nCopyy a b\n").message,
              "unknown instruction: Copyy (did you mean copy?)");
    Error err = parse_error_of("FROM a\nBADCMD\n").to_error();
    EXPECT_EQ(err.message, "dockerfile parse error on line 2: unknown instruction: BADCMD");
    EXPECT_EQ(err.exit_code, 1);
}

TEST(Dockerfile, LineParserErrors) {
    // Errors of the line parsers come without BuildKit's "dockerfile parse error" prefix.
    ParseError e = parse_error_of("FROM busybox\n\nENV PATH\n");
    EXPECT_EQ(e.message, "ENV must have two arguments");
    EXPECT_EQ(e.line, 3);
    EXPECT_FALSE(e.in_instruction);
    EXPECT_EQ(parse_error_of("FROM a\nLABEL x\n").message, "LABEL must have two arguments");
    EXPECT_EQ(parse_error_of("FROM a\nENV a=b c\n").message,
              "Syntax error - can't find = in \"c\". Must be of the form: name=value");
    e = parse_error_of("FROM a\nCMD [ \"echo\", [ \"nested json\" ] ]\n");
    EXPECT_EQ(e.message, "when using JSON array syntax, arrays must be comprised of strings only");
    EXPECT_EQ(parse_error_of("FROM a\nRUN [1]\n").message,
              "when using JSON array syntax, arrays must be comprised of strings only");
}

TEST(Dockerfile, Warnings) {
    Dockerfile df = parse_ok(
        "FROM alpine:3.6\n\n"
        "RUN valid \\\n    continuation\n\n"
        "RUN something \\\n\n    following \\\n\n    more\n\n"
        "RUN another \\\n\n    thing\n\n"
        "RUN non-indented \\\n# this is a comment\n   after-comment\n\n"
        "MAINTAINER me\n");
    ASSERT_EQ(df.warnings.size(), 3u);
    EXPECT_EQ(df.warnings[0].line, 10);
    EXPECT_EQ(std::get<RunInstruction>(df.stages[0].instructions[1]).command.args[0],
              "something     following     more");
    EXPECT_EQ(df.warnings[1].line, 14);
    EXPECT_EQ(df.warnings[2].rule, "MaintainerDeprecated");
    EXPECT_EQ(df.warnings[2].message,
              "Maintainer instruction is deprecated in favor of using label");
    EXPECT_EQ(df.warnings[2].line, 20);
}

}  // namespace
}  // namespace ferry::build
